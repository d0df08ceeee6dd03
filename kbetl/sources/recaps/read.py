"""Reading a recap spreadsheet: one row per region, as national, provincial and kabupaten/kota offices and
open-data portals publish them.

Finds the header (possibly two rows, under title rows), maps its Indonesian, English or snake_case
labels to fields (reference data: header_aliases.csv), reads the year and parent region from the title,
and returns the region rows and the total row ("Jumlah", "Total", "JUMLAH PROVINSI") with their numbers
parsed. Cells that are not numbers are kept as text so that validation can name them. A "long" export
(one row per region and method) is pivoted to the same shape. The kind of report (a PSA recap, or a
count of current users, "peserta KB aktif") is read from the title and headers unless given
(report_kinds.csv); a file they do not tell is refused rather than guessed.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kbetl.reference.tables import campaign_years, header_aliases, header_levels, report_kind_markers
from kbetl.sources.recaps import limits
from kbetl.sources.recaps.grid import DELIMITERS, Cell, Sheet, read_sheets, shown_name
from kbetl.sources.recaps.numbers import id_format, parse_number
from schemas.methods import METHOD_CODES, METHODS

NUMBER_FIELDS = ("target", *METHOD_CODES, "total", "pct")
# per row, where the file has them: its region's code, its parent (code, else name), the parent's name, its year
ROW_INFO = ("region_code_reported", "parent_reported", "parent_name_reported", "report_year")
LEVELS = ("province", "regency", "district")  # coarse to fine
_TOTAL_LABEL = re.compile(r"^(jumlah|total|grand ?total)\b|^(nasional|indonesia)$", re.IGNORECASE)
_YEAR = re.compile(r"\b(20[1-3]\d)\b")
_PARENT = re.compile(r"\bPROVINSI\s+(.+?)(?=\s+(?:TAHUN|HARGANAS|PADA|\d{4})\b|\s*$)", re.IGNORECASE)
_REGENCY = re.compile(r"(?<![/\w])((?:KABUPATEN|KAB\.?|KOTA)\s+(?!PROVINSI\b|DAN\b|SE\b)[^/]+?)"
                      r"(?=\s+(?:PROVINSI|TAHUN|HARGANAS|PADA|PER|BULAN|\d{4})\b|\s*[,;:(]|\s*$)", re.IGNORECASE)
HEADER_SEARCH_ROWS = 25
# a kind, as a message names it, and the option that gives it
KIND_WORDS = {"psa": "PSA", "current_users": "peserta KB aktif", "new_users": "peserta KB baru"}
KIND_OPTIONS = {"psa": "--kind psa (hasil pelayanan KB, rekap PSA)", "current_users":
                "--kind current-users (peserta KB aktif)", "new_users": "--kind new-users (peserta KB baru)"}
# what a field is called in a message a data officer reads (Bahasa Indonesia)
FIELD_WORDS = {"region": "wilayah", "region_code": "kode wilayah", "year": "tahun", "method_name": "metode",
               "target": "sasaran", "total": "jumlah", "pct": "persentase", **{m.code: m.name_id for m in METHODS}}


class RecapStructureError(ValueError):
    """The file cannot be read as a recap at all; nothing of it is loaded."""


class NoHeader(RecapStructureError):
    """No row of a sheet is a recap's header."""


@dataclass(frozen=True)
class HeaderColumn:
    field: str  # 'region', 'region_code', 'year', 'method_name' or one of NUMBER_FIELDS
    col: int
    label: str
    level: str = ""  # of a region name or code column: 'province', 'regency', 'district' or '' (not said)


@dataclass(frozen=True)
class UnusedColumn:
    """A column of the file the header gives no field: what it is called (None: no label) and what is in it."""
    col: int
    label: str | None
    sample: Cell  # its first value below the header (None: it is empty)
    sample_row: int | None
    filled: int  # its cells with a value below the header

    @property
    def shown(self) -> str:
        """As a data officer reads it: "satuan (contoh 'ORANG' di baris 3; 17 sel terisi)"."""
        name = repr(self.label) if self.label else f"kolom ke-{self.col + 1} tanpa judul"
        if self.sample is None:
            return f"{name} (kosong)"
        return f"{name} (contoh {self.sample!r} di baris {self.sample_row}; {id_format(self.filled)} sel terisi)"


@dataclass
class RecapExtract:
    file_name: str
    content: bytes
    sha256: str
    title: str
    campaign_year: int | None
    parent_name: str | None
    row_level: str  # 'province' (a national recap), 'regency' (a provincial one) or 'district' (a kabupaten's)
    header_row: int
    columns: dict[str, str]  # field -> header label as written
    rows: pd.DataFrame  # source_row, is_total_row, region_name, NUMBER_FIELDS (floats, or text), ROW_INFO
    kind: str = "psa"  # 'psa', 'current_users' or 'new_users'
    region_option: str | None = None  # the parent as given on the command line (--region), if it was
    level_from_header: bool = True  # False when the region column does not say its level ("Wilayah")
    rows_are_years: bool = False  # a table of one region's figures, one row per year (no region column)
    title_regency: str | None = None
    title_province: str | None = None
    ignored_columns: list[UnusedColumn] = field(default_factory=list)
    years_skipped: dict[int, int] = field(default_factory=dict)  # with --year: each other year, its rows set aside
    # rows not read as a region or total row: (row, why: title, header, blank, note, other_year, its text)
    skipped_rows: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[tuple] = field(default_factory=list)  # rows found unusable while reading (schemas.audit.PROBLEM)
    sheet_name: str | None = None  # the sheet read, of a workbook with several
    other_sheets: list[str] = field(default_factory=list)
    continued_lines: int = 0  # CSV lines that continue a quoted cell with a line break


def read_recap(path: Path, year: int | None = None, region: str | None = None,
               kind: str | None = None) -> RecapExtract:
    """Extracts one recap file; `year`, `region` (the parent) and `kind` override what the file says."""
    path = Path(path)
    check_file_size(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RecapStructureError(_unreadable(path, exc)) from exc
    file_name = shown_name(path.name)
    sheet, (header_row, header, span) = _recap_sheet(file_name, read_sheets(path, content))
    grid = sheet.rows
    title = " ".join(str(c) for row in grid[:header_row] for c in row if c is not None)
    rows_are_years = not any(c.field == "region" for c in header)
    title_regency, title_province = _title_regency(title), _title_parent(title)
    if rows_are_years:
        region_column, parent_columns = next(c for c in header if c.field == "year"), []
        if not (region or title_regency or title_province):
            raise RecapStructureError(
                f"{file_name}: baris-barisnya berisi tahun (kolom {region_column.label}) tanpa kolom wilayah, dan "
                "judulnya tidak menyebut wilayahnya; sebutkan wilayah yang angkanya dimuat berkas ini dengan "
                "--region (nama atau kode, misalnya --region 3402)")
    else:
        region_column, parent_columns = _region_columns(file_name, header_row, header)
    title_year = _YEAR.findall(title)
    level = region_column.level or _level_from_title(region, title_regency, title_province)
    labels = [str(c) for c in grid[header_row] if c is not None]
    extract = RecapExtract(
        file_name=file_name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        title=title,
        campaign_year=year or (int(title_year[-1]) if title_year else None),
        parent_name=region or (title_regency if level == "district" else title_province),
        row_level=level,
        header_row=header_row + 1,
        columns={c.field: c.label for c in header if c.field != "region" or c is region_column},
        rows=pd.DataFrame(),
        kind=kind or "",
        region_option=region,
        level_from_header=bool(region_column.level),
        rows_are_years=rows_are_years,
        title_regency=title_regency,
        title_province=title_province,
        ignored_columns=_unused_columns(grid, header_row, span, header),
        sheet_name=sheet.name if len(sheet.workbook_sheets) > 1 else None,
        other_sheets=[name for name in sheet.workbook_sheets if name != sheet.name],
        continued_lines=sheet.continued,
    )
    for index in range(header_row + span):
        kind_of_row = "header" if index >= header_row else "title" if any(c is not None for c in grid[index]) \
            else "blank"
        extract.skipped_rows.append((index + 1, kind_of_row, _row_text(grid[index])))
    rows = _region_rows(sheet, header_row + span, header, region_column, parent_columns, extract)
    if any(c.field == "method_name" for c in header):
        rows = _pivoted(rows, extract)
    extract.kind = kind or _kind_of(extract, list(dict.fromkeys(labels + [c.label for c in header])), rows)
    extract.rows = _for_year(rows, year, extract)
    return extract


def _unused_columns(grid: list[list[Cell]], header_row: int, span: int,
                    header: list[HeaderColumn]) -> list[UnusedColumn]:
    """Every column the header gives no field (nor the row number), labelled or not, that has a label or a
    value: a unit column, an empty trailing column with one stray number in it."""
    used = {c.col for c in header}
    header_rows, first_data_row = grid[header_row:header_row + span], header_row + span
    labels = {col: [row[col] for row in header_rows if col < len(row) and row[col] is not None]
              for col in range(max((len(row) for row in grid[header_row:]), default=0)) if col not in used}
    unused = {col for col, said in labels.items() if not any(_field_for(label) == "row_no" for label in said)}
    first, filled = {}, dict.fromkeys(unused, 0)
    for number, row in enumerate(grid[first_data_row:], first_data_row + 1):  # every cell once
        for col, value in enumerate(row):
            if value is not None and col in unused:
                first.setdefault(col, (number, value))
                filled[col] += 1
    found = []
    for col in sorted(unused):
        if labels[col] or col in first:
            row, value = first.get(col, (None, None))
            found.append(UnusedColumn(col, " ".join(map(str, labels[col])) or None, value, row, filled[col]))
    return found


def _recap_sheet(file_name: str, sheets) -> tuple[Sheet, tuple[int, list[HeaderColumn], int]]:
    """The first sheet that holds a recap (a header with a region column), and its header."""
    seen = []
    for sheet in sheets:
        try:
            return sheet, _find_header(file_name, sheet.rows)
        except NoHeader as exc:
            seen.append(sheet.name)
            if len(sheet.workbook_sheets) <= 1 or len(seen) == len(sheet.workbook_sheets):
                if len(seen) > 1:
                    raise NoHeader(f"{exc} (di lembar mana pun: {', '.join(map(repr, seen))})") from None
                raise
    raise RecapStructureError(f"{file_name}: buku kerja ini tidak memuat lembar kerja; simpan ulang dari program "
                              "lembar kerja sebagai XLSX atau CSV")


def _row_text(row: list[Cell]) -> str:
    return " ".join(str(c) for c in row if c is not None)


def check_file_size(path: Path) -> None:
    """Refuses a file over the size limit before a byte of it is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RecapStructureError(_unreadable(path, exc)) from exc
    max_bytes = limits.MAX_FILE_BYTES.value
    if size > max_bytes:
        raise RecapStructureError(
            f"{shown_name(path.name)}: berkas {id_format(size / limits.MIB, 1)} MiB, melebihi batas "
            f"{limits.MAX_FILE_BYTES.describe(max_bytes)} untuk berkas rekap, sehingga tidak dibaca; kirim rekapnya "
            "saja, atau naikkan batas itu")


def _unreadable(path: Path, exc: OSError) -> str:
    return (f"{shown_name(path)}: berkas tidak dapat dibaca ({exc.strerror}); periksa apakah berkas itu ada dan "
            "boleh dibaca, lalu coba lagi")


def field_word(name: str) -> str:
    """A field as a data officer calls it: 'sasaran', 'jumlah'; a method by its code ('iud')."""
    return FIELD_WORDS.get(name, name)


def _words(label: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", label.lower())


def _without_markers(words: list[str]) -> tuple[list[str], bool]:
    """The words of a header without the words that mark a report's kind ('kb aktif', 'pa')."""
    found = False
    for marker in report_kind_markers("header"):
        n = len(marker)
        i = 0
        while i + n <= len(words):
            if tuple(words[i:i + n]) == marker:
                words, found = words[:i] + words[i + n:], True
            else:
                i += 1
    return words, found


def _markers_in(texts: list[str], place: str) -> dict[str, str]:
    """{marker as written in report_kinds.csv: the kind it tells} of the markers found in `texts`."""
    found = {}
    for text in texts:
        words = _words(text)
        for marker, kind in report_kind_markers(place).items():
            if any(tuple(words[i:i + len(marker)]) == marker for i in range(len(words))):
                found[" ".join(marker)] = kind
    return found


def _kind_of(extract: RecapExtract, labels: list[str], rows: pd.DataFrame) -> str:
    """What the title and headers tell (report_kinds.csv); else PSA for a file of one year with a target
    column, as a PSA recap is (one campaign's results against its target). A file they do not tell, or
    tell both ways, or a file of several years without a target said to be PSA, is refused: taking current
    users for acceptors (or the reverse) would publish wrong figures."""
    told = {**_markers_in([extract.title], "title"), **_markers_in(labels, "header")}
    kinds = set(told.values())
    years = sorted(rows["report_year"].dropna().unique())
    shape = ([f"memuat {len(years)} tahun ({years[0]}–{years[-1]})"] if len(years) > 1 else []) + \
        (["tidak memiliki kolom sasaran"] if "target" not in extract.columns else [])
    if (len(kinds) == 1 and kinds != {"psa"}) or (kinds == {"psa"} and len(shape) < 2) or (not kinds and not shape):
        return kinds.pop() if kinds else "psa"
    said = {k: f"{KIND_WORDS[k]} ({', '.join(repr(m) for m, mk in told.items() if mk == k)})" for k in kinds}
    if len(kinds) > 1:
        read = f"judul dan judul kolomnya menyebut {' sekaligus '.join(said[k] for k in KIND_WORDS if k in kinds)}"
    else:
        title = f"judulnya {extract.title!r}" if extract.title.strip() else "berkas tanpa judul"
        read = (f"judul atau judul kolomnya menyebut {said['psa']}, tetapi" if kinds else
                f"{title} dan judul kolomnya ({', '.join(labels)}) tidak menyebut "
                f"{', '.join(_kind_words(k) for k in KIND_WORDS if k != 'new_users')} maupun "
                f"{_kind_words('new_users')}, dan")
        read += f" berkas ini {' serta '.join(shape)}, sehingga tidak dapat dianggap rekap PSA (hasil satu kampanye)"
    raise RecapStructureError(
        f"{extract.file_name}: jenis laporannya tidak dapat ditentukan: {read}; berikan jenisnya dengan "
        f"{', '.join(list(KIND_OPTIONS.values())[:-1])} atau {list(KIND_OPTIONS.values())[-1]}")


def _kind_words(kind: str) -> str:
    """A kind and the words that tell it, as a message names them: "PSA ('psa', 'kb serentak', …)"."""
    markers = {" ".join(m) for place in ("title", "header") for m, k in report_kind_markers(place).items()
               if k == kind}
    return f"{KIND_WORDS[kind]} ({', '.join(repr(m) for m in sorted(markers))})"


def _field_for(label: Cell) -> str | None:
    if not isinstance(label, str):
        return None
    aliases = header_aliases()
    text = re.sub(r"\(.*?\)", "", label) if "%" not in label else label
    key = re.sub(r"[^a-z0-9]", "", text.lower())
    if "%" in label or key.startswith("persen"):
        return "pct"
    found = aliases.get(key) or aliases.get(re.sub(r"[^a-z0-9]", "", label.lower()))
    if found:
        return found
    words, marked = _without_markers(_words(text))
    return aliases.get("".join(words)) if marked and words else None


def _level_of(label: str) -> str:
    key = re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)", "", label).lower())
    return header_levels().get(key) or header_levels().get(re.sub(r"[^a-z0-9]", "", label.lower()), "")


def _find_header(file_name: str, grid: list[list[Cell]]) -> tuple[int, list[HeaderColumn], int]:
    """(row index, the columns it names, rows the header spans): the first row with a region column, else
    the first with a year column and two number columns (a table whose rows are years, of one region)."""
    fields_of = [[_field_for(c) for c in row] for row in grid[:HEADER_SEARCH_ROWS]]
    with_region = [i for i, fields in enumerate(fields_of) if "region" in fields]
    of_years = [i for i, fields in enumerate(fields_of)
                if "year" in fields and sum(f in NUMBER_FIELDS for f in fields) >= 2]
    for i in (with_region or of_years)[:1]:
        row, fields = grid[i], fields_of[i]
        below = grid[i + 1] if i + 1 < len(grid) else []
        below_fields = [_field_for(c) for c in below]
        two_rows = sum(f in NUMBER_FIELDS for f in below_fields) >= 2
        header: list[HeaderColumn] = []
        for col, cell in enumerate(row):
            use_below = two_rows and col < len(below_fields) and below_fields[col]
            label, field_name = (below[col], below_fields[col]) if use_below else (cell, fields[col])
            if field_name is None or field_name == "row_no":
                continue
            column = HeaderColumn(field_name, col, str(label),
                                  _level_of(str(label)) if field_name in ("region", "region_code") else "")
            same = next((c for c in header if (c.field, c.level) == (column.field, column.level)), None)
            if same is not None:
                raise RecapStructureError(
                    f"{file_name}: baris judul kolom {i + 1} memuat dua kolom {field_word(field_name)}, "
                    f"{same.label!r} dan {column.label!r}; sisakan satu saja lalu kirim ulang berkas")
            header.append(column)
        if not any(c.field in NUMBER_FIELDS for c in header):
            raise RecapStructureError(
                f"{file_name}: baris judul kolom {i + 1} memuat kolom wilayah tetapi tanpa kolom angka (sasaran, "
                f"metode, jumlah, atau %), yang ada hanya {[c for c in row if c is not None]}; tambahkan kolom "
                "angkanya lalu kirim ulang berkas")
        return i, header, 2 if two_rows else 1
    raise NoHeader(
        f"{file_name}: tidak ada baris judul kolom dengan kolom wilayah (Provinsi, Kabupaten/Kota, Kab/Kota, "
        f"Kecamatan, Distrik, Kapanewon, Wilayah), atau dengan kolom Tahun dan kolom angka, dalam "
        f"{HEADER_SEARCH_ROWS} baris pertama; tambahkan baris judul kolom dengan salah satu nama kolom itu lalu "
        "kirim ulang berkas")


def _region_columns(file_name: str, header_row: int, header: list[HeaderColumn]):
    """The column naming each row's region (the finest level named), and the coarser ones naming its parent."""
    names = [c for c in header if c.field == "region"]
    leveled = sorted((c for c in names if c.level), key=lambda c: LEVELS.index(c.level))
    if leveled and len(names) > len(leveled):
        unsaid = next(c for c in names if not c.level)
        raise RecapStructureError(
            f"{file_name}: baris judul kolom {header_row + 1} memuat kolom wilayah {unsaid.label!r} selain "
            f"{', '.join(repr(c.label) for c in leveled)}; sisakan satu saja lalu kirim ulang berkas")
    region_column = leveled[-1] if leveled else names[0]
    return region_column, leveled[:-1]


def _title_parent(title: str) -> str | None:
    found = _PARENT.search(title)
    return found.group(1).strip(" :-") if found else None


def _title_regency(title: str) -> str | None:
    found = _REGENCY.search(title)
    return found.group(1).strip(" :-") if found else None


def _level_from_title(region: str | None, title_regency: str | None, title_province: str | None) -> str:
    """Rows under a label that does not say their level ("Wilayah"): kecamatan if the title names a
    kabupaten/kota, kabupaten/kota if a parent province is known, else provinces."""
    if title_regency and not region:
        return "district"
    return "regency" if region or title_province else "province"


def _code(cell: Cell) -> str | None:
    """A region code as written ('34.02', '3402', 3402.0) as digits; other text unchanged."""
    if cell is None:
        return None
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    digits = re.sub(r"[.\s]", "", cell)
    return digits if digits.isdigit() else cell


def _region_rows(sheet: Sheet, first_data_row: int, header: list[HeaderColumn], region_column: HeaderColumn,
                 parent_columns: list[HeaderColumn], extract: RecapExtract) -> pd.DataFrame:
    """Region and total rows; the others are skipped with their reason (blank, note). A row whose line could
    not be split as the header's was is read as a rejected row, named, never merged or dropped."""
    grid = sheet.rows
    region_col = region_column.col
    number_cols = {c.field: c.col for c in header if c.field in NUMBER_FIELDS}
    code_col = next((c.col for c in header if c.field == "region_code" and c.level in ("", region_column.level)), None)
    parent = parent_columns[-1] if parent_columns else None
    parent_code_col = next((c.col for c in header if parent and c.field == "region_code" and c.level == parent.level),
                           None)
    year_col = next((c.col for c in header if c.field == "year"), None)
    method_col = next((c.col for c in header if c.field == "method_name"), None)
    records = []
    for index in range(first_data_row, len(grid)):
        row = grid[index]
        cell = lambda col: row[col] if col is not None and col < len(row) else None  # noqa: E731
        name = cell(region_col)
        parent_name = str(cell(parent.col)) if parent and cell(parent.col) is not None else None
        numbers = {f: parse_number(cell(col)) for f, col in number_cols.items()}
        total_label = next((c for c in row[: region_col + 1] if isinstance(c, str) and _TOTAL_LABEL.match(c)), None)
        unsplit = sheet.broken.get(index) or _other_delimiter(row, sheet.delimiter)
        if unsplit:
            name = _row_text(row)
            extract.problems.append((index + 1, "region_name", "split_like_header", name,
                                     f"baris {index + 1}: {unsplit}; baris ini tidak dibaca, perbaiki lalu kirim "
                                     "ulang berkas"))
            numbers = dict.fromkeys(number_cols)
        elif all(v is None for v in numbers.values()):
            text = _row_text(row)
            extract.skipped_rows.append((index + 1, "note" if text else "blank", text))
            continue
        elif extract.rows_are_years and total_label is not None:  # the years summed: no one year's figures
            extract.skipped_rows.append((index + 1, "years_total", _row_text(row)))
            continue
        records.append({
            "source_row": index + 1,
            # of a table whose rows are years, each row is the region's own figures, as a total row is
            "is_total_row": total_label is not None or extract.rows_are_years,
            "region_name": total_label or (str(name) if name is not None else None),
            **{f: numbers.get(f) for f in NUMBER_FIELDS},
            "region_code_reported": _code(cell(code_col)),
            "parent_reported": _code(cell(parent_code_col)) or parent_name,
            "parent_name_reported": parent_name,
            "report_year": _year(cell(year_col), index + 1, extract),
            "method_name": cell(method_col),
        })
    frame = pd.DataFrame.from_records(
        records, columns=["source_row", "is_total_row", "region_name", *NUMBER_FIELDS, *ROW_INFO, "method_name"])
    frame = frame.astype({"source_row": "int64", "is_total_row": bool, **{f: object for f in NUMBER_FIELDS},
                          "report_year": "Int64"})
    return frame if method_col is not None else frame.drop(columns=["method_name"])


def _other_delimiter(row: list[Cell], delimiter: str | None) -> str | None:
    """Why a CSV line is one cell holding a row written with another delimiter ('Kaur,1500,1200' in a file
    split on ';'); None for any other row (a note with a comma in it stays a note)."""
    cells = [c for c in row if c is not None]
    if delimiter is None or len(cells) != 1 or not isinstance(cells[0], str):
        return None
    for other in DELIMITERS:
        parts = cells[0].split(other)
        if other != delimiter and len(parts) >= 3 and any(isinstance(parse_number(p.strip()), float) for p in parts):
            return (f"barisnya ditulis dengan pemisah {other!r}, bukan {delimiter!r} seperti baris judul kolom, "
                    "sehingga tidak terbagi menjadi kolom")
    return None


def known_years(kind: str) -> list[int]:
    """The years the reference data knows for a kind of report: PSA campaign years; for a current-users
    report any year from the first campaign to the last."""
    years = campaign_years()
    return years if kind == "psa" else list(range(years[0], years[-1] + 1))


def _year(cell: Cell, source_row: int, extract: RecapExtract) -> int | None:
    if cell is None:
        return None
    value = parse_number(cell)
    label = extract.columns.get("year", "tahun")
    known = known_years(extract.kind)
    if isinstance(value, float) and value.is_integer() and int(value) in known:
        return int(value)
    what = (f"tahun {int(value)} tidak dikenal data rujukan (yang dikenal: {_years_text(known)})"
            if isinstance(value, float) and value.is_integer() else f"{cell!r} bukan tahun (seperti 2022)")
    extract.problems.append((source_row, "report_year", "year", str(cell),
                             f"baris {source_row}, kolom {label}: {what}; perbaiki sel itu lalu kirim ulang berkas"))
    return None


def _years_text(years: list[int]) -> str:
    return ", ".join(map(str, years)) if len(years) <= 8 else f"{years[0]}–{years[-1]}"


def _pivoted(rows: pd.DataFrame, extract: RecapExtract) -> pd.DataFrame:
    """A long export (one row per region × method, the count in the total column) as one row per region."""
    aliases = header_aliases()
    keys = ["report_year", "parent_reported", "parent_name_reported", "region_code_reported", "region_name"]
    out, first_of = [], {}
    method_label = extract.columns.get("method_name", "metode")
    for _, group in rows.groupby(keys, sort=False, dropna=False):
        first = group.iloc[0]
        first_of.update(dict.fromkeys(group["source_row"], int(first.source_row)))
        extract.skipped_rows += [(int(r), "method_row", f"digabung ke baris {first.source_row}")
                                 for r in group["source_row"].iloc[1:]]
        record = {**first.drop("method_name").to_dict(), **{f: None for f in (*METHOD_CODES, "total")}}
        for row in group.itertuples(index=False):
            written = str(row.method_name or "")
            method = aliases.get(re.sub(r"[^a-z0-9]", "", written.lower()))
            if method not in (*METHOD_CODES, "total"):
                extract.problems.append((int(first.source_row), "method_name", "known_method", written,
                                         f"baris {row.source_row}, kolom {method_label}: {written!r} bukan metode "
                                         f"yang dikenal ({', '.join(m.name_id for m in METHODS)}, atau Jumlah); "
                                         "perbaiki sel itu lalu kirim ulang berkas"))
                continue
            if record[method] is not None:
                extract.problems.append((int(first.source_row), method, "unique_method", written,
                                         f"baris {row.source_row}, kolom {method_label}: metode {written} untuk "
                                         f"{first.region_name} sudah tertulis di baris sebelumnya; hapus salah "
                                         "satunya lalu kirim ulang berkas"))
            record[method] = row.total
        for name in ("target", "pct"):
            given = {str(v) for v in group[name] if v is not None and not pd.isna(v)}
            if len(given) > 1 and name == "target":
                extract.problems.append((int(first.source_row), name, "consistent_target", ", ".join(sorted(given)),
                                         f"baris {', '.join(map(str, group['source_row']))}, kolom "
                                         f"{extract.columns.get('target', 'sasaran')}: sasaran untuk "
                                         f"{first.region_name} berbeda-beda ({', '.join(sorted(given))}); samakan "
                                         "sasarannya lalu kirim ulang berkas"))
            record[name] = next((v for v in group[name] if v is not None and not pd.isna(v)), None) \
                if len(given) == 1 else None
        out.append(record)
    extract.problems = [(first_of.get(p[0], p[0]), *p[1:]) for p in extract.problems]
    frame = pd.DataFrame.from_records(out, columns=[c for c in rows.columns if c != "method_name"])
    return frame.astype({"source_row": "int64", "is_total_row": bool, **{f: object for f in NUMBER_FIELDS},
                         "report_year": "Int64"})


def _for_year(rows: pd.DataFrame, year: int | None, extract: RecapExtract) -> pd.DataFrame:
    """With a year asked for (--year) and a year column, only that year's rows; the others are set aside."""
    if year is None:
        return rows.reset_index(drop=True)
    other = rows["report_year"].notna() & (rows["report_year"] != year)
    extract.years_skipped = {int(y): int(n) for y, n in rows.loc[other, "report_year"].value_counts().sort_index()
                             .items()}
    for row in rows.loc[other].itertuples(index=False):
        extract.skipped_rows.append((row.source_row, "other_year",
                                     f"{row.region_name}: tahun {row.report_year}, bukan {year}"))
    return rows.loc[~other].reset_index(drop=True)
