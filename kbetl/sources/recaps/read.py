"""Reading a recap spreadsheet: one row per region, as provincial and national offices send them.

Finds the header (possibly two rows, under title rows), maps its Indonesian or English labels to
fields, reads the campaign year and parent region from the title, and returns the region rows and
the total row ("Jumlah", "Total", "JUMLAH PROVINSI") with their numbers parsed. Cells that are not
numbers are kept as text so that validation can name them.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kbetl.reference.tables import header_aliases
from kbetl.sources.recaps import limits
from kbetl.sources.recaps.grid import Cell, read_grid
from kbetl.sources.recaps.numbers import parse_number
from schemas.methods import METHOD_CODES

NUMBER_FIELDS = ("target", *METHOD_CODES, "total", "pct")
_PROVINCE_HEADERS = {"provinsi", "propinsi", "province"}
_REGENCY_HEADERS = {"kabupatenkota", "kabkota", "kabupaten", "kota", "regency", "kabupatendankota"}
_TOTAL_LABEL = re.compile(r"^(jumlah|total|grand ?total)\b|^(nasional|indonesia)$", re.IGNORECASE)
_YEAR = re.compile(r"\b(20[1-3]\d)\b")
_PARENT = re.compile(r"\bPROVINSI\s+(.+?)(?=\s+(?:TAHUN|HARGANAS|PADA|\d{4})\b|\s*$)", re.IGNORECASE)
HEADER_SEARCH_ROWS = 25


class RecapStructureError(ValueError):
    """The file cannot be read as a recap at all; nothing of it is loaded."""


@dataclass
class RecapExtract:
    file_name: str
    content: bytes
    sha256: str
    title: str
    campaign_year: int | None
    parent_name: str | None
    row_level: str  # 'province' (a national recap) or 'regency' (a provincial recap)
    header_row: int
    columns: dict[str, str]  # field -> header label as written
    rows: pd.DataFrame  # source_row, is_total_row, region_name, NUMBER_FIELDS (floats, or text)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)


def read_recap(path: Path, year: int | None = None, region: str | None = None) -> RecapExtract:
    """Extracts one recap file; `year` and `region` (the parent) override what the title says."""
    path = Path(path)
    check_file_size(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RecapStructureError(f"{path}: cannot be read ({exc.strerror})") from exc
    grid = read_grid(path, content)
    header_row, labels, span = _find_header(path.name, grid)
    title = " ".join(str(c) for row in grid[:header_row] for c in row if c is not None)
    region_label = next(label for label, (f, _) in labels.items() if f == "region")
    columns = {f: label for label, (f, _) in labels.items()}
    title_year = _YEAR.findall(title)
    parent = region or _title_parent(title)
    extract = RecapExtract(
        file_name=path.name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        title=title,
        campaign_year=year or (int(title_year[-1]) if title_year else None),
        parent_name=parent,
        row_level=_row_level(region_label, parent),
        header_row=header_row + 1,
        columns=columns,
        rows=pd.DataFrame(),
        ignored_columns=[str(c) for c in grid[header_row] if c is not None and _field_for(c) is None],
    )
    extract.rows = _region_rows(grid, header_row + span, labels, extract)
    return extract


def check_file_size(path: Path) -> None:
    """Refuses a file over the size limit before a byte of it is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RecapStructureError(f"{path}: cannot be read ({exc.strerror})") from exc
    max_bytes = limits.MAX_FILE_BYTES.value
    if size > max_bytes:
        raise RecapStructureError(
            f"{path.name}: {size / limits.MIB:,.1f} MiB, over the limit of {limits.MAX_FILE_BYTES.describe(max_bytes)}"
            " for a recap file; not read (send the recap alone, or raise the limit)")


def _field_for(label: Cell) -> str | None:
    if not isinstance(label, str):
        return None
    text = re.sub(r"\(.*?\)", "", label) if "%" not in label else label
    key = re.sub(r"[^a-z0-9]", "", text.lower())
    if "%" in label or key.startswith("persen"):
        return "pct"
    return header_aliases().get(key) or header_aliases().get(re.sub(r"[^a-z0-9]", "", label.lower()))


def _find_header(file_name: str, grid: list[list[Cell]]):
    """(row index, {label: (field, column index)}, rows the header spans)."""
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        fields = [_field_for(c) for c in row]
        if "region" not in fields:
            continue
        below = grid[i + 1] if i + 1 < len(grid) else []
        below_fields = [_field_for(c) for c in below]
        two_rows = sum(f in NUMBER_FIELDS for f in below_fields) >= 2
        labels: dict[str, tuple[str, int]] = {}
        for col, cell in enumerate(row):
            sub = below[col] if two_rows and col < len(below) else None
            use_below = two_rows and col < len(below_fields) and below_fields[col]
            label, field_name = (sub, below_fields[col]) if use_below else (cell, fields[col])
            if field_name is None or field_name == "row_no":
                continue
            if field_name in {f for f, _ in labels.values()}:
                first = next(lab for lab, (f, _) in labels.items() if f == field_name)
                raise RecapStructureError(
                    f"{file_name}: header row {i + 1} has two columns for {field_name}: "
                    f"{first!r} and {label!r}; keep one")
            labels[str(label)] = (field_name, col)
        if not any(f in NUMBER_FIELDS for f, _ in labels.values()):
            raise RecapStructureError(
                f"{file_name}: header row {i + 1} names the regions but no number column "
                f"(target, methods, total or %); found {[c for c in row if c is not None]}")
        return i, labels, 2 if two_rows else 1
    raise RecapStructureError(
        f"{file_name}: no header row with a region column (Provinsi, Kabupaten/Kota, Kab/Kota, "
        f"Wilayah) in the first {HEADER_SEARCH_ROWS} rows")


def _title_parent(title: str) -> str | None:
    found = _PARENT.search(title)
    return found.group(1).strip(" :-") if found else None


def _row_level(region_label: str, parent: str | None) -> str:
    key = re.sub(r"[^a-z]", "", region_label.lower())
    if key in _PROVINCE_HEADERS:
        return "province"
    if key in _REGENCY_HEADERS:
        return "regency"
    return "regency" if parent else "province"


def _region_rows(grid, first_data_row: int, labels, extract: RecapExtract) -> pd.DataFrame:
    region_col = next(col for f, col in labels.values() if f == "region")
    number_cols = {f: col for f, col in labels.values() if f in NUMBER_FIELDS}
    records = []
    for index in range(first_data_row, len(grid)):
        row = grid[index]
        cell = lambda col: row[col] if col < len(row) else None  # noqa: E731
        name = cell(region_col)
        numbers = {f: parse_number(cell(col)) for f, col in number_cols.items()}
        total_label = next((c for c in row[: region_col + 1] if isinstance(c, str) and _TOTAL_LABEL.match(c)), None)
        if all(v is None for v in numbers.values()):
            if any(c is not None for c in row):
                extract.skipped_rows.append((index + 1, " ".join(str(c) for c in row if c is not None)))
            continue
        records.append({
            "source_row": index + 1,
            "is_total_row": total_label is not None,
            "region_name": total_label or (str(name) if name is not None else None),
            **{f: numbers.get(f) for f in NUMBER_FIELDS},
        })
    frame = pd.DataFrame.from_records(
        records, columns=["source_row", "is_total_row", "region_name", *NUMBER_FIELDS])
    return frame.astype({"source_row": "int64", "is_total_row": bool, **{f: object for f in NUMBER_FIELDS}})
