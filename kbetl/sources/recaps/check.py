"""Checking a recap as read: the contract, region names conformed to codes, cross-checks.

Rows that break the contract or name no known region are quarantined with file, row, column, check
and value; the others are accepted. Cross-checks (totals that do not add up, a stated % that is not
achieved/target) are findings: reported, never silently fixed. Nothing here touches the warehouse.
"""

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kbetl.reference.indonesian import LEVEL_WORDS, PARENT_LEVEL, id_number
from kbetl.reference.names import Region, RegionNotResolved, matcher_for
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import campaign_years, region_map_for_report_year
from kbetl.sources.recaps.read import ROW_INFO, RecapExtract, RecapStructureError, field_word
from schemas.audit import FINDING, PROBLEM
from schemas.methods import METHOD_CODES
from schemas.recap import CHECK_MESSAGES, ROW_CHECK_COLUMNS, RecapRowSchema, RecapRowSchemaWithoutCellChecks, cells_pass

METHODS = list(METHOD_CODES)
COUNT_FIELDS = ["target", *METHODS, "total"]
PCT_TOLERANCE = 0.05
IMPLAUSIBLE_RATIO = 3.0


@dataclass
class ValidatedRecap:
    """One year and parent region of a file (a file with a year or parent column may hold several)."""
    extract: RecapExtract  # its rows are this part's
    campaign_year: int  # the year the figures are for (for a current-users report, its report year)
    map_version: str
    row_level: str
    parent_code: str
    parent_name: str
    accepted: pd.DataFrame  # region rows: source_row, region_code, region_name, reported name, figures
    parent_figures: pd.DataFrame  # the total row, as the parent's own reported figures (0 or 1 row)
    quarantine: pd.DataFrame
    findings: pd.DataFrame
    kind: str = "psa"  # 'psa' or 'current_users'

    @property
    def has_errors(self) -> bool:
        return not self.quarantine.empty

    @property
    def rows_in(self) -> int:
        """Rows read (region rows and total rows); always rows_accepted + rows_rejected."""
        return len(self.extract.rows)

    @property
    def rows_accepted(self) -> int:
        return len(self.accepted) + len(self.parent_figures)

    @property
    def rows_rejected(self) -> int:
        return int(self.quarantine["source_row"].nunique())


def validate_recap(extract: RecapExtract) -> list[ValidatedRecap]:
    """The file's parts, one per (year, parent region) its rows give, each checked on its year's map."""
    rows = extract.rows
    default_year = extract.campaign_year or _only(rows["report_year"])
    years = rows["report_year"].astype("Float64").fillna(default_year)
    if years.isna().all():
        raise RecapStructureError(f"{extract.file_name}: judulnya tidak menyebut tahun kampanye; berikan tahunnya "
                                  "dengan --year")
    years = _rows_without_a_year(extract, years)
    default_parent = extract.parent_name or _only(rows["parent_reported"]) or ""
    parents = ([extract.region_option] * len(rows) if extract.region_option
               else rows["parent_reported"].fillna(default_parent).tolist())
    keys = list(zip(years.astype(int).tolist(), parents)) or [(default_year, default_parent)]
    parts = []
    for year, parent in dict.fromkeys(keys):
        part_rows = rows.loc[[k == (year, parent) for k in keys]] if len(rows) else rows
        sources = set(part_rows["source_row"])
        part = replace(extract, rows=part_rows.reset_index(drop=True), parent_name=parent or None,
                       problems=[q for q in extract.problems if q[0] in sources])
        parts.append(_validate_part(part, _year(extract, year)))
    return parts


def _rows_without_a_year(extract: RecapExtract, years: pd.Series) -> pd.Series:
    """A row whose year is neither in its cell nor in the title is rejected, naming the row (unless its year
    cell was already found wrong), and goes with the first year's rows so that it is counted."""
    missing = years.isna()
    if missing.any():
        named = {p[0] for p in extract.problems}
        label = _label(extract, "report_year")
        for source_row in extract.rows.loc[missing, "source_row"]:
            if source_row not in named:
                extract.problems.append((int(source_row), "report_year", "year", None,
                                         f"baris {source_row}, kolom {label}: sel kosong, padahal judulnya tidak "
                                         "menyebut tahun; isi tahunnya lalu kirim ulang berkas"))
    return years.fillna(years.dropna().iloc[0])


def _only(column: pd.Series):
    """The one value a year or parent column gives (so that a total row without it joins the others)."""
    values = column.dropna().unique()
    return values[0] if len(values) == 1 else None


def _validate_part(extract: RecapExtract, year: int) -> ValidatedRecap:
    map_version = region_map_for_report_year(year)
    regions = regions_on_map(map_version)
    row_level, parent_code, parent_name = _parent(extract, regions, map_version)

    rows = extract.rows.reset_index(drop=True)
    unsplit = {p[0] for p in extract.problems if p[2] == "split_like_header"}  # its one problem says it all
    problems = [p for p in _contract_problems(rows, extract) if p[0] not in unsplit] + list(extract.problems)
    bad_rows = {p[0] for p in problems}
    candidates = rows.loc[~rows["source_row"].isin(bad_rows)]
    region_rows = candidates.loc[~candidates["is_total_row"].astype(bool)]
    total_rows = candidates.loc[candidates["is_total_row"].astype(bool)]

    matcher = matcher_for(map_version, row_level)
    scope = None if row_level == "province" else parent_code
    in_scope = regions[(regions["level"] == row_level) & ((regions["parent_code"] == scope) if scope else True)]
    names_by_code = dict(zip(in_scope["region_code"], in_scope["region_name"]))
    conformed, seen, code_findings = [], {}, []
    for row in region_rows.itertuples(index=False):
        try:
            region = _conform(row, matcher, scope, names_by_code, row_level, code_findings,
                              _label(extract, "region_code_reported"))
        except RegionNotResolved as exc:
            problems.append((row.source_row, "region_name", "known_region", row.region_name,
                             f"baris {row.source_row}, kolom {_label(extract, 'region_name')}: {exc}; "
                             "perbaiki nama itu sesuai daftar wilayah Kemendagri lalu kirim ulang berkas"))
            continue
        if region.code in seen:
            problems.append((row.source_row, "region_name", "unique_region", row.region_name,
                             f"baris {row.source_row}, kolom {_label(extract, 'region_name')}: {region.name} "
                             f"({region.code}) sudah ada di baris {seen[region.code]}; hapus salah satunya lalu "
                             "kirim ulang berkas"))
            continue
        seen[region.code] = row.source_row
        conformed.append({**row._asdict(), "region_code": region.code, "region_name_reported": row.region_name,
                          "region_name": region.name})

    _refuse_rows_of_another_parent(extract, region_rows, {c["source_row"] for c in conformed}, row_level,
                                   parent_code, parent_name, map_version, regions)
    accepted = _typed(pd.DataFrame(conformed, columns=[*rows.columns, "region_code", "region_name_reported"]))
    total_row = total_rows.head(1)
    for extra in total_rows.iloc[1:].itertuples(index=False):  # rejected, so that rows in = accepted + rejected
        problems.append((extra.source_row, "region_name", "extra_total_row", extra.region_name,
                         f"baris {extra.source_row}, kolom {_label(extract, 'region_name')}: baris jumlah kedua, "
                         f"padahal hanya baris jumlah pertama (baris {total_row['source_row'].iloc[0]}) yang "
                         "dipakai; hapus baris ini lalu kirim ulang berkas"))
    # a total row is the parent's figures only beside its rows, or as a row of a table of its figures by year
    if accepted.empty and not total_row.empty and not extract.rows_are_years:
        total = total_row.iloc[0]
        problems.append((int(total["source_row"]), "region_name", "total_without_regions", total["region_name"],
                         f"baris {total['source_row']}, kolom {_label(extract, 'region_name')}: baris jumlah tidak "
                         f"dipakai sebagai angka {parent_name} ({parent_code}) karena tidak satu pun baris "
                         f"{LEVEL_WORDS[row_level]} berkas ini diterima; perbaiki baris-baris itu lalu kirim ulang "
                         "berkas"))
        total_row = total_row.iloc[0:0]
    parent_figures = _typed(total_row.assign(region_code=parent_code, region_name_reported=total_row["region_name"],
                                             region_name=parent_name))
    quarantine = pd.DataFrame(problems, columns=list(PROBLEM)).sort_values(
        ["source_row", "column_name"], ignore_index=True)
    code_findings += _parent_name_findings(extract, row_level, parent_code, parent_name, map_version)
    findings = pd.concat([pd.DataFrame(code_findings, columns=list(FINDING)),
                          _findings(extract, accepted, parent_figures, regions, row_level, parent_code)],
                         ignore_index=True)
    drop = ["is_total_row", *ROW_INFO]
    return ValidatedRecap(extract, year, map_version, row_level, parent_code, parent_name,
                          accepted.drop(columns=drop), parent_figures.drop(columns=drop),
                          quarantine, findings, extract.kind)


def _year(extract: RecapExtract, year: int) -> int:
    if extract.kind == "psa" and year not in campaign_years():
        raise RecapStructureError(
            f"{extract.file_name}: {year} bukan tahun kampanye PSA (yang dikenal: "
            f"{', '.join(map(str, campaign_years()))}); perbaiki tahun di judul atau berikan tahun yang benar "
            "dengan --year")
    return year


def _conform(row, matcher, scope: str | None, names_by_code: dict[str, str], level: str, findings: list,
             code_label: str) -> Region:
    """The row's region: by its code where the file gives one the register knows, checked against its name;
    else by its name."""
    code = _kemendagri_code(row.region_code_reported, level)
    if code is None:
        return matcher.resolve(row.region_name, scope)
    label = f"baris {row.source_row} ({row.region_name}), kolom {code_label}"
    if code not in names_by_code:
        findings.append(("code_unknown", row.source_row, None, None, None,
                         f"{label}: kode {row.region_code_reported} bukan kode {LEVEL_WORDS[level]} di wilayah "
                         f"{scope or '00'} pada peta tahun ini, sehingga baris dicocokkan menurut namanya; "
                         "perbaiki kode itu"))
        return matcher.resolve(row.region_name, scope)
    by_code = Region(code, names_by_code[code], None)
    try:
        by_name = matcher.resolve(row.region_name, scope)
    except RegionNotResolved:
        by_name = None
    if by_name is None or by_name.code != code:
        named = (f"namanya menunjuk {by_name.name} ({by_name.code})" if by_name
                 else "namanya tidak ada dalam daftar wilayah")
        findings.append(("code_vs_name", row.source_row, code, None, None,
                         f"{label}: kode {row.region_code_reported} adalah {by_code.name} ({code}), tetapi "
                         f"{named}; baris dihitung menurut kodenya, jadi perbaiki mana yang salah"))
    return by_code


def _refuse_rows_of_another_parent(extract: RecapExtract, region_rows: pd.DataFrame, placed: set[int],
                                   row_level: str, parent_code: str, parent_name: str, map_version: str,
                                   regions: pd.DataFrame) -> None:
    """Rows that are, by their names, another parent's regions (more of them than of the parent given) mean
    that the parent the file was given (--region, or its title) is wrong: the file is refused rather than its
    total row taken as that parent's figures. (A parent column says each row's parent: a row it places wrongly
    is that row's problem, rejected as known_region.)"""
    from_column = not extract.region_option and extract.rows["parent_reported"].notna().any()
    if row_level == "province" or from_column:
        return
    unplaced = ~region_rows["source_row"].isin(placed)
    if not unplaced.any():
        return
    unplaced = list(region_rows.loc[unplaced].itertuples(index=False))
    matcher = matcher_for(map_version, row_level)
    parent_of = dict(zip(regions["region_code"], regions["parent_code"]))
    elsewhere: dict[str, list] = {}
    for row in unplaced:
        try:
            region = matcher.resolve(str(row.region_name))
        except RegionNotResolved:
            continue
        if parent_of.get(region.code) != parent_code:
            elsewhere.setdefault(parent_of.get(region.code), []).append(row)
    if not elsewhere:
        return
    other, rows = max(elsewhere.items(), key=lambda item: len(item[1]))
    if len(rows) <= len(placed):
        return
    other_name = _name_of(other, regions)
    level = LEVEL_WORDS[row_level]
    given, fix = ((f"--region {extract.region_option}", f"kirim ulang dengan --region {other}")
                  if extract.region_option else ("judul berkas", "perbaiki judulnya"))
    raise RecapStructureError(
        f"{extract.file_name}: {given} menyebut {parent_name} ({parent_code}) sebagai induk baris-barisnya, tetapi "
        f"{len(rows)} dari {len(region_rows)} baris {level} adalah {level} {other_name} ({other}) (baris "
        f"{rows[0].source_row}: {rows[0].region_name!r}) dan hanya {len(placed)} yang ada di {parent_name}; berkas "
        f"ditolak seluruhnya agar angkanya tidak tercatat sebagai angka {parent_name}: periksa berkasnya, lalu {fix} "
        f"bila ini memang rekap {other_name}")


def _parent_name_findings(extract, row_level, parent_code, parent_name, map_version) -> list[tuple]:
    """A parent name column that names another region than the parent code column (or --region) says."""
    found = []
    if extract.rows["parent_name_reported"].isna().all():
        return found
    rows = extract.rows.dropna(subset=["parent_name_reported"]).drop_duplicates("parent_name_reported")
    for row in rows.itertuples(index=False):
        try:
            named = matcher_for(map_version, PARENT_LEVEL[row_level]).resolve(row.parent_name_reported)
        except RegionNotResolved:
            continue  # a name the register cannot place alone ("Bandung"): the code decides, as it should
        if named.code != parent_code:
            found.append(("code_vs_name", row.source_row, parent_code, None, None,
                          f"baris {row.source_row}: {LEVEL_WORDS[PARENT_LEVEL[row_level]]} baris-baris ini adalah "
                          f"{parent_name} ({parent_code}), tetapi kolom nama {LEVEL_WORDS[PARENT_LEVEL[row_level]]} "
                          f"menyebut {row.parent_name_reported} ({named.code}); "
                          f"baris dihitung di bawah {parent_code}, jadi perbaiki mana yang salah"))
    return found


def _kemendagri_code(written: str | None, level: str) -> str | None:
    """A code column's value as a Kemendagri code: as written (dots removed), or a BPS kecamatan code of 7
    digits, whose last three are the Kemendagri two followed by a 0 (BPS 3402010 = Kemendagri 340201)."""
    if written is None or pd.isna(written) or not str(written).isdigit():
        return None
    written = str(written)
    if level == "district" and len(written) == 7 and written.endswith("0"):
        return written[:4] + written[4:6]
    return written


def _parent(extract: RecapExtract, regions: pd.DataFrame, map_version: str) -> tuple[str, str, str]:
    """(level of the rows, parent code, parent name)."""
    level = extract.row_level
    if not extract.level_from_header and extract.region_option:
        level = "district" if _resolve(extract.region_option, "province", regions, map_version) is None \
            else "regency"
    if level == "province":
        return level, "00", "Indonesia"
    parent_level = PARENT_LEVEL[level]
    if extract.parent_name is None:
        raise RecapStructureError(
            f"{extract.file_name}: baris-barisnya berisi {LEVEL_WORDS[level]}, tetapi judulnya tidak menyebut "
            f"{LEVEL_WORDS[parent_level]}; sebutkan {LEVEL_WORDS[parent_level]} itu dengan --region")
    within = None
    if parent_level == "regency" and extract.title_province and not extract.region_option:
        found = _resolve(extract.title_province, "province", regions, map_version)
        within = found[0] if found else None
    try:
        found = _resolve(extract.parent_name, parent_level, regions, map_version, within, strict=True)
    except RegionNotResolved as exc:
        ask = ("berikan kodenya dengan --region" if exc.ambiguous
               else "perbaiki judulnya atau sebutkan wilayah induknya dengan --region")
        raise RecapStructureError(
            f"{extract.file_name}: {LEVEL_WORDS[parent_level]} induk: {exc}; {ask}") from exc
    if extract.region_option:
        _refuse_option_against_title(extract, parent_level, *found, regions, map_version)
    return level, *found


def _refuse_option_against_title(extract: RecapExtract, parent_level: str, code: str, name: str,
                                 regions: pd.DataFrame, map_version: str) -> None:
    """--region overrides what the title says only when it names the same parent (the title may spell it
    its own way): a title naming another kabupaten/kota, or another province, refuses the file, naming both."""
    province = _resolve(extract.title_province, "province", regions, map_version) \
        if extract.title_province else None
    if parent_level == "regency" and extract.title_regency:
        said, given = extract.title_regency, code
        titled = _resolve(said, "regency", regions, map_version, province[0] if province else None)
    else:  # the title names only a province: the parent given must be it, or lie in it
        said, titled = extract.title_province, province
        given = code if parent_level == "province" else \
            regions.loc[(regions["region_code"] == code) & (regions["level"] == "regency"), "parent_code"].iloc[0]
    if titled is None or titled[0] == given:
        return
    raise RecapStructureError(
        f"{extract.file_name}: --region {extract.region_option} menunjuk {name} ({code}), tetapi judul berkas "
        f"menyebut {said} ({titled[1]}, {titled[0]}); berkas ditolak seluruhnya agar angkanya tidak tercatat sebagai "
        f"angka {name}: periksa berkasnya, lalu kirim ulang dengan --region yang sesuai judulnya atau perbaiki "
        "judulnya")


def _name_of(code: str, regions: pd.DataFrame) -> str:
    return regions.loc[regions["region_code"] == code, "region_name"].iloc[0]


def _resolve(name: str, level: str, regions: pd.DataFrame, map_version: str, within: str | None = None,
             strict: bool = False) -> tuple[str, str] | None:
    """(code, register name) of a region given by code or name; None (or, strict, the error) if none fits."""
    code = re.sub(r"[.\s]", "", name)
    if code.isdigit():
        found = regions[(regions["region_code"] == code) & (regions["level"] == level)]
        if not found.empty:
            return code, found["region_name"].iloc[0]
        if strict:
            raise RegionNotResolved(name, f"bukan kode {LEVEL_WORDS[level]} pada peta {map_version}", [])
        return None
    try:
        region = matcher_for(map_version, level).resolve(name, within)
    except RegionNotResolved:
        if not strict:
            return None
        raise
    return region.code, region.name


def _label(extract: RecapExtract, column: str) -> str:
    """A column as the file's header names it (what the officer sees), else as a data officer calls it."""
    field = {"region_name": "region", "region_code_reported": "region_code", "report_year": "year"}.get(column, column)
    return extract.columns.get(field) or field_word(field)


def _shown(value) -> str:
    """A cell's value in a message: text quoted as written, a number the Indonesian way."""
    if isinstance(value, float):
        return id_number(value, 4, trim=True)
    return repr(value)


def _contract_problems(rows: pd.DataFrame, extract: RecapExtract) -> list[tuple]:
    schema = RecapRowSchemaWithoutCellChecks if cells_pass(rows) else RecapRowSchema
    try:
        schema.validate(rows, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems = []
    for case in cases.itertuples(index=False):
        if pd.isna(case.index):
            continue
        row = rows.loc[int(case.index)]
        # A DataFrame-wide check's failure is reported by Pandera once per column of the failing row: it
        # belongs to the check's own column, once.
        if case.check in ROW_CHECK_COLUMNS:
            column = ROW_CHECK_COLUMNS[case.check]
        else:
            column = case.column if isinstance(case.column, str) else ""
        value = row[column] if column in row.index else None
        gist, action = CHECK_MESSAGES.get(case.check, (f"tidak lolos pemeriksaan {case.check}",
                                                       "perbaiki sel itu lalu kirim ulang berkas"))
        shown = "sel kosong" if value is None or pd.isna(value) else _shown(value)
        problems.append((int(row["source_row"]), column, case.check, None if pd.isna(value) else str(value),
                         f"baris {int(row['source_row'])}, kolom {_label(extract, column)}: "
                         f"{gist.format(value=shown)}; {action}"))
    return list(dict.fromkeys(problems))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as nullable integers; where a row gives any method, its empty method cells are 0."""
    counts = {name: _whole_numbers(frame[name]) for name in COUNT_FIELDS}
    has_breakdown = ~np.logical_and.reduce([counts[m].isna() for m in METHODS])
    for m in METHODS:  # built as arrays: assigning through .loc, column by column, was most of _typed's cost
        empty = counts[m].isna()
        counts[m] = pd.arrays.IntegerArray(np.where(empty, 0, counts[m].to_numpy("int64", na_value=0)),
                                           empty & ~has_breakdown)
    methods_sum = pd.arrays.IntegerArray(sum(counts[m].to_numpy("int64", na_value=0) for m in METHODS),
                                         ~has_breakdown)
    total = counts["total"]
    achieved = pd.arrays.IntegerArray(np.where(total.isna(), methods_sum.to_numpy("int64", na_value=0),
                                               total.to_numpy("int64", na_value=0)),
                                      total.isna() & methods_sum.isna())
    columns = {**counts, "pct": pd.to_numeric(frame["pct"]).astype("Float64").array, "achieved": achieved}
    return frame.assign(**{name: pd.Series(values, index=frame.index) for name, values in columns.items()})


def _whole_numbers(column: pd.Series) -> pd.arrays.IntegerArray:
    """The column rounded, as nullable integers: built from the floats directly where they are exact (as
    .astype("Int64") gives them, at a fraction of its cost), else by .astype, which says what does not fit."""
    numbers = pd.to_numeric(column).round()
    if numbers.dtype == "float64":
        floats = numbers.to_numpy()
        empty = np.isnan(floats)
        if (np.abs(floats[~empty]) < 2 ** 53).all():
            return pd.arrays.IntegerArray(np.where(empty, 0, floats).astype("int64"), empty)
    return numbers.astype("Int64").array


def _findings(extract, accepted, parent_figures, regions, row_level, parent_code) -> pd.DataFrame:
    found = []
    for frame in (accepted, parent_figures):
        flagged = _may_have_findings(frame)
        for row in frame.loc[flagged].itertuples(index=False) if flagged.any() else ():
            found += _row_findings(row, extract)
    if not parent_figures.empty:
        reported = extract.rows.loc[~extract.rows["is_total_row"].astype(bool)]
        found += _total_row_findings(parent_figures.iloc[0], reported, extract)
    if row_level != "province" and not extract.rows_are_years:
        expected = regions[(regions["level"] == row_level) & (regions["parent_code"] == parent_code)]
        missing = expected[~expected["region_code"].isin(accepted["region_code"])]
        if not missing.empty:
            names = ", ".join(missing["region_name"])
            found.append(("missing_regions", None, parent_code, len(expected), len(expected) - len(missing),
                          f"{len(missing)} dari {len(expected)} {LEVEL_WORDS[row_level]} tidak memiliki baris yang "
                          f"diterima: {names}; tambahkan atau perbaiki baris wilayah itu lalu kirim ulang berkas"))
    return pd.DataFrame(found, columns=list(FINDING))


def _may_have_findings(frame: pd.DataFrame) -> np.ndarray:
    """The rows _row_findings may find something in (a few more, never fewer: it decides), so that it runs
    on those alone rather than on every row."""
    if frame.empty:
        return np.zeros(0, dtype=bool)
    methods = frame[METHODS].to_numpy("float64", na_value=np.nan)
    total, target, achieved, pct = (frame[name].to_numpy("float64", na_value=np.nan)
                                    for name in ("total", "target", "achieved", "pct"))
    with np.errstate(invalid="ignore", divide="ignore"):
        computed = achieved / target * 100
        exact = np.abs(np.column_stack([methods, total])).max(axis=1) < 2 ** 50  # sums of floats are exact
        methods_off = ~np.isnan(methods).any(axis=1) & ~np.isnan(total) & ~((methods.sum(axis=1) == total) & exact)
        pct_off = ~(np.abs(pct - computed) <= PCT_TOLERANCE / 2)  # NaN (no pct, no target) included
        too_high = ~(computed <= IMPLAUSIBLE_RATIO * 100 * 0.99)
    return methods_off | ((target > 0) & (pct_off | too_high))


def _row_findings(row, extract: RecapExtract) -> list[tuple]:
    found = []
    label = f"baris {row.source_row} ({row.region_name_reported})"
    methods = [getattr(row, m) for m in METHODS]
    if not pd.isna(row.total) and not any(pd.isna(m) for m in methods) and sum(methods) != row.total:
        found.append(("methods_vs_total", row.source_row, row.region_code, int(row.total), int(sum(methods)),
                      f"{label}, kolom {_label(extract, 'total')}: angka metode berjumlah {id_number(sum(methods))}, "
                      f"tetapi kolom jumlah menulis {id_number(row.total)}; periksa angka metode dan jumlahnya"))
    if not pd.isna(row.achieved) and not pd.isna(row.target) and row.target > 0:
        computed = row.achieved / row.target * 100
        if not pd.isna(row.pct) and abs(row.pct - computed) > PCT_TOLERANCE:
            found.append(("stated_pct", row.source_row, row.region_code, round(computed, 2), float(row.pct),
                          f"{label}, kolom {_label(extract, 'pct')}: tertulis {id_number(row.pct, 2)}%, padahal "
                          f"{id_number(row.achieved)}/{id_number(row.target)} = {id_number(computed, 2)}%; periksa "
                          "persentase itu"))
        if computed > IMPLAUSIBLE_RATIO * 100:
            found.append(("implausible_achievement", row.source_row, row.region_code, int(row.target),
                          int(row.achieved), f"{label}: capaian {id_number(row.achieved)} terhadap sasaran "
                          f"{id_number(row.target)} ({id_number(computed)}%) tidak masuk akal; periksa apakah ada "
                          "salah ketik"))
    return found


def _total_row_findings(total, reported_rows, extract: RecapExtract) -> list[tuple]:
    """The total row against the region rows as reported (numbers only, accepted or not)."""
    found = []
    for name in COUNT_FIELDS:
        stated = total[name]
        summed = pd.to_numeric(reported_rows[name], errors="coerce").sum(min_count=1)
        if pd.isna(stated) or pd.isna(summed) or stated == summed:
            continue
        found.append(("total_row_vs_rows", int(total["source_row"]), total["region_code"], int(stated), int(summed),
                      f"baris {total['source_row']} ({total['region_name_reported']}), kolom "
                      f"{_label(extract, name)}: tertulis {id_number(stated)}, padahal baris wilayahnya berjumlah "
                      f"{id_number(summed)}; periksa baris jumlah dan baris wilayahnya"))
    return found
