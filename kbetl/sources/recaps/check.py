"""Checking a recap as read: the contract, region names conformed to codes, cross-checks.

Rows that break the contract or name no known region are quarantined with file, row, column, check
and value; the others are accepted. Cross-checks (totals that do not add up, a stated % that is not
achieved/target) are findings: reported, never silently fixed. Nothing here touches the warehouse.
"""

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from kbetl.reference.names import RegionNotResolved, matcher_for
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import campaign_years, region_map_for_year
from kbetl.sources.recaps.read import RecapExtract, RecapStructureError
from schemas.audit import FINDING, PROBLEM
from schemas.methods import METHOD_CODES
from schemas.recap import CHECK_DESCRIPTIONS, ROW_CHECK_COLUMNS, RecapRowSchema

METHODS = list(METHOD_CODES)
COUNT_FIELDS = ["target", *METHODS, "total"]
PCT_TOLERANCE = 0.05
IMPLAUSIBLE_RATIO = 3.0


@dataclass
class ValidatedRecap:
    extract: RecapExtract
    campaign_year: int
    map_version: str
    row_level: str
    parent_code: str
    parent_name: str
    accepted: pd.DataFrame  # region rows: source_row, region_code, region_name, reported name, figures
    parent_figures: pd.DataFrame  # the total row, as the parent's own reported figures (0 or 1 row)
    quarantine: pd.DataFrame
    findings: pd.DataFrame

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


def validate_recap(extract: RecapExtract) -> ValidatedRecap:
    year = _campaign_year(extract)
    map_version = region_map_for_year(year)
    regions = regions_on_map(map_version)
    parent_code, parent_name = _parent(extract, regions, map_version)

    rows = extract.rows.reset_index(drop=True)
    problems = _contract_problems(rows)
    bad_rows = {p[0] for p in problems}
    candidates = rows.loc[~rows["source_row"].isin(bad_rows)]
    region_rows = candidates.loc[~candidates["is_total_row"].astype(bool)]
    total_rows = candidates.loc[candidates["is_total_row"].astype(bool)]

    matcher = matcher_for(map_version, extract.row_level)
    scope = parent_code if extract.row_level == "regency" else None
    conformed, seen = [], {}
    for row in region_rows.itertuples(index=False):
        try:
            region = matcher.resolve(row.region_name, scope)
        except RegionNotResolved as exc:
            problems.append((row.source_row, "region_name", "known_region", row.region_name, str(exc)))
            continue
        if region.code in seen:
            problems.append((row.source_row, "region_name", "unique_region", row.region_name,
                             f"{region.name} ({region.code}) already given in row {seen[region.code]}"))
            continue
        seen[region.code] = row.source_row
        conformed.append({**row._asdict(), "region_code": region.code, "region_name_reported": row.region_name,
                          "region_name": region.name})

    accepted = _typed(pd.DataFrame(conformed, columns=[*rows.columns, "region_code", "region_name_reported"]))
    total_row = total_rows.head(1)
    for extra in total_rows.iloc[1:].itertuples(index=False):  # rejected, so that rows in = accepted + rejected
        problems.append((extra.source_row, "region_name", "extra_total_row", extra.region_name,
                         f"a second total row; only the first (row {total_row['source_row'].iloc[0]}) is used"))
    parent_figures = _typed(total_row.assign(region_code=parent_code, region_name_reported=total_row["region_name"],
                                             region_name=parent_name))
    quarantine = pd.DataFrame(problems, columns=list(PROBLEM)).sort_values(
        ["source_row", "column_name"], ignore_index=True)
    findings = _findings(extract, accepted, parent_figures, total_rows, regions, parent_code)
    return ValidatedRecap(extract, year, map_version, extract.row_level, parent_code, parent_name,
                          accepted.drop(columns=["is_total_row"]), parent_figures.drop(columns=["is_total_row"]),
                          quarantine, findings)


def _campaign_year(extract: RecapExtract) -> int:
    year = extract.campaign_year
    if year is None:
        raise RecapStructureError(f"{extract.file_name}: no campaign year in the title; give it with --year")
    if year not in campaign_years():
        raise RecapStructureError(
            f"{extract.file_name}: {year} is no PSA campaign year (known: {', '.join(map(str, campaign_years()))})")
    return year


def _parent(extract: RecapExtract, regions: pd.DataFrame, map_version: str) -> tuple[str, str]:
    if extract.row_level == "province":
        return "00", "Indonesia"
    if extract.parent_name is None:
        raise RecapStructureError(
            f"{extract.file_name}: rows are kabupaten/kota but the title names no province; give it with --region")
    by_code = regions[(regions["region_code"] == extract.parent_name) & (regions["level"] == "province")]
    if not by_code.empty:
        return extract.parent_name, by_code["region_name"].iloc[0]
    try:
        province = matcher_for(map_version, "province").resolve(extract.parent_name)
    except RegionNotResolved as exc:
        raise RecapStructureError(f"{extract.file_name}: parent province: {exc}") from exc
    return province.code, province.name


def _contract_problems(rows: pd.DataFrame) -> list[tuple]:
    try:
        RecapRowSchema.validate(rows, lazy=True)
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
        problems.append((int(row["source_row"]), column, case.check, None if pd.isna(value) else str(value),
                         f"{column}: expected {CHECK_DESCRIPTIONS.get(case.check, case.check)}"))
    return list(dict.fromkeys(problems))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as nullable integers; where a row gives any method, its empty method cells are 0."""
    frame = frame.copy()
    for name in COUNT_FIELDS:
        frame[name] = pd.to_numeric(frame[name]).round().astype("Int64")
    frame["pct"] = pd.to_numeric(frame["pct"]).astype("Float64")
    has_breakdown = frame[METHODS].notna().any(axis=1)
    frame.loc[has_breakdown, METHODS] = frame.loc[has_breakdown, METHODS].fillna(0)
    frame["achieved"] = frame["total"].fillna(frame[METHODS].sum(axis=1, min_count=len(METHODS)))
    return frame


def _findings(extract, accepted, parent_figures, total_rows, regions, parent_code) -> pd.DataFrame:
    found = []
    for frame in (accepted, parent_figures):
        for row in frame.itertuples(index=False):
            found += _row_findings(row)
    if not parent_figures.empty:
        reported = extract.rows.loc[~extract.rows["is_total_row"].astype(bool)]
        found += _total_row_findings(parent_figures.iloc[0], reported)
    if extract.row_level == "regency":
        expected = regions[(regions["level"] == "regency") & (regions["parent_code"] == parent_code)]
        missing = expected[~expected["region_code"].isin(accepted["region_code"])]
        if not missing.empty:
            names = ", ".join(missing["region_name"])
            found.append(("missing_regions", None, parent_code, len(expected), len(expected) - len(missing),
                          f"{len(missing)} of {len(expected)} kabupaten/kota have no accepted row: {names}"))
    return pd.DataFrame(found, columns=list(FINDING))


def _row_findings(row) -> list[tuple]:
    found = []
    label = f"row {row.source_row} ({row.region_name_reported})"
    methods = [getattr(row, m) for m in METHODS]
    if not pd.isna(row.total) and not any(pd.isna(m) for m in methods) and sum(methods) != row.total:
        found.append(("methods_vs_total", row.source_row, row.region_code, int(row.total), int(sum(methods)),
                      f"{label}: methods add up to {sum(methods)}, the total column says {row.total}"))
    if not pd.isna(row.achieved) and not pd.isna(row.target) and row.target > 0:
        computed = row.achieved / row.target * 100
        if not pd.isna(row.pct) and abs(row.pct - computed) > PCT_TOLERANCE:
            found.append(("stated_pct", row.source_row, row.region_code, round(computed, 2), float(row.pct),
                          f"{label}: states {row.pct:.2f}%, but {row.achieved}/{row.target} is {computed:.2f}%"))
        if computed > IMPLAUSIBLE_RATIO * 100:
            found.append(("implausible_achievement", row.source_row, row.region_code, int(row.target),
                          int(row.achieved), f"{label}: {row.achieved} served against a target of "
                          f"{row.target} ({computed:.0f}%) is implausible; check for a typing error"))
    return found


def _total_row_findings(total, reported_rows) -> list[tuple]:
    """The total row against the region rows as reported (numbers only, accepted or not)."""
    found = []
    for name in COUNT_FIELDS:
        stated = total[name]
        summed = pd.to_numeric(reported_rows[name], errors="coerce").sum(min_count=1)
        if pd.isna(stated) or pd.isna(summed) or stated == summed:
            continue
        found.append(("total_row_vs_rows", int(total["source_row"]), total["region_code"], int(stated), int(summed),
                      f"row {total['source_row']} ({total['region_name_reported']}): {name} is {stated}, "
                      f"the region rows add up to {summed:.0f}"))
    return found
