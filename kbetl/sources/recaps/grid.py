"""The grid of a recap file (CSV as Excel writes it, or XLSX): rows of cells.

A cell is None (empty), a str (stripped) or a float (a numeric XLSX cell; a percent-formatted one is
already multiplied by 100, as the reader sees it).
"""

import csv
import io
from pathlib import Path
from statistics import median

from openpyxl import load_workbook

Cell = str | float | None
DELIMITERS = (";", ",", "\t")


class UnreadableFile(ValueError):
    pass


def read_grid(path: Path, content: bytes) -> list[list[Cell]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_grid(path, content)
    if suffix in (".csv", ".txt"):
        return _csv_grid(content)
    raise UnreadableFile(f"{path.name}: unsupported file type {suffix!r}; send CSV or XLSX")


def decode_text(content: bytes) -> str:
    """UTF-8 with or without BOM, else Windows-1252 (Excel's 'CSV' under an Indonesian locale)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_grid(content: bytes) -> list[list[Cell]]:
    text = decode_text(content)
    lines = [line for line in text.splitlines() if line.strip()]
    delimiter = max(DELIMITERS, key=lambda d: _fields_per_line(lines, d))
    return [[_text_cell(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _fields_per_line(lines: list[str], delimiter: str) -> float:
    counts = [len(row) for row in csv.reader(lines[:40], delimiter=delimiter)]
    return median(counts) if counts else 0


def _text_cell(value: str) -> Cell:
    value = value.replace("\xa0", " ").strip()
    return value or None


def _xlsx_grid(path: Path, content: bytes) -> list[list[Cell]]:
    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    sheet = book.worksheets[0]
    merged_values = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                merged_values[(row, col)] = top_left
    grid = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            value = merged_values.get((cell.row, cell.column), cell.value)
            if isinstance(value, bool) or value is None:
                cells.append(None)
            elif isinstance(value, (int, float)):
                scale = 100 if "%" in (cell.number_format or "") else 1
                cells.append(float(value) * scale)
            else:
                cells.append(_text_cell(str(value)))
        grid.append(cells)
    return grid
