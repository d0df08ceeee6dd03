"""The grid of a recap file (CSV as Excel writes it, or XLSX): rows of cells.

A cell is None (empty), a str (stripped) or a float (a numeric XLSX cell; a percent-formatted one is
already multiplied by 100, as the reader sees it).
"""

import csv
import io
import itertools
import zipfile
from pathlib import Path
from statistics import median

from openpyxl import load_workbook

from kbetl.sources.recaps import limits
from kbetl.sources.recaps.numbers import id_format

Cell = str | float | None
DELIMITERS = (";", ",", "\t")


class UnreadableFile(ValueError):
    pass


def read_grid(path: Path, content: bytes) -> list[list[Cell]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_grid(path, content)
    if suffix in (".csv", ".txt"):
        return _csv_grid(path, content)
    raise UnreadableFile(f"{path.name}: jenis berkas {suffix!r} tidak didukung; kirim rekapnya sebagai CSV atau XLSX")


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(content: bytes) -> str:
    """By its BOM (UTF-8, or UTF-16/32 as Excel's 'Unicode Text' saves it), else UTF-8, else Windows-1252
    (Excel's 'CSV' under an Indonesian locale)."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableFile(f"teksnya bukan {encoding.upper()} yang sah walaupun diawali penanda "
                                     f"{encoding.upper()}; simpan ulang sebagai CSV UTF-8 atau XLSX") from None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_grid(path: Path, content: bytes) -> list[list[Cell]]:
    try:
        text = decode_text(content)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{path.name}: {exc}") from None
    if "\x00" in text:
        raise UnreadableFile(f"{path.name}: bukan berkas teks (berisi byte NUL); kirim CSV atau XLSX sebagaimana "
                             "disimpan oleh program lembar kerja")
    first_lines = list(itertools.islice((line for line in _lines(text) if line.strip()), 40))
    delimiter = max(DELIMITERS, key=lambda d: _fields_per_line(first_lines, d))
    max_rows, max_chars = limits.MAX_ROWS.value, limits.MAX_CELL_CHARS.value
    previous = csv.field_size_limit(max_chars + 1)
    grid = []
    try:
        for number, row in enumerate(csv.reader(_lines(text), delimiter=delimiter), 1):
            if number > max_rows:
                raise UnreadableFile(_too_many_rows(path, max_rows))
            grid.append([_text_cell(v, path, number, col) for col, v in enumerate(row, 1)])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(_cell_too_long(path, len(grid) + 1, None, max_chars)) from None
        raise UnreadableFile(f"{path.name}: bukan berkas CSV yang dapat dibaca (baris {len(grid) + 1}: {exc}); "
                             "simpan ulang dari program lembar kerja sebagai CSV atau XLSX") from None
    finally:
        csv.field_size_limit(previous)
    return grid


def _lines(text: str):
    """The text's lines, one at a time (io.StringIO would hold a second, four-bytes-a-character copy)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _too_many_rows(path: Path, max_rows: int) -> str:
    return (f"{path.name}: jumlah barisnya melebihi batas {limits.MAX_ROWS.describe(max_rows)} untuk satu lembar "
            "rekap; kirim lembar rekapnya saja, atau naikkan batas itu")


def _cell_too_long(path: Path, row: int, col: int | None, max_chars: int) -> str:
    where = f"baris {row}" + (f", kolom {col}" if col else "")
    return (f"{path.name}: {where}: panjang selnya melebihi batas {limits.MAX_CELL_CHARS.describe(max_chars)} "
            "karakter untuk satu sel; perbaiki sel itu, atau naikkan batas itu")


def _fields_per_line(lines: list[str], delimiter: str) -> float:
    try:
        counts = [len(row) for row in csv.reader(lines[:40], delimiter=delimiter)]
    except csv.Error:
        return 0
    return median(counts) if counts else 0


def _text_cell(value: str, path: Path | None = None, row: int = 0, col: int = 0) -> Cell:
    if path is not None and len(value) > limits.MAX_CELL_CHARS.value:
        raise UnreadableFile(_cell_too_long(path, row, col, limits.MAX_CELL_CHARS.value))
    value = value.replace("\xa0", " ").strip()
    return value or None


def check_xlsx_members(path: Path, content: bytes) -> None:
    """The ZIP's directory against the limits, before anything is inflated: the uncompressed size of all
    members, and the compression ratio of each big one. (zipfile never inflates a member past the size
    its directory states, so a directory that lies cannot get past this either.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableFile(f"{path.name}: bukan buku kerja XLSX yang dapat dibaca (bukan arsip ZIP: {_short(exc)}); "
                             "simpan ulang dari program lembar kerja sebagai XLSX atau CSV") from None
    max_bytes, max_ratio = limits.MAX_XLSX_BYTES.value, limits.MAX_XLSX_RATIO.value
    total = sum(m.file_size for m in members)
    if total > max_bytes:
        raise UnreadableFile(
            f"{path.name}: isinya menjadi {id_format(total / limits.MIB)} MiB setelah dibuka, melebihi batas "
            f"{limits.MAX_XLSX_BYTES.describe(max_bytes)} untuk buku kerja rekap, sehingga tidak dibuka; kirim lembar "
            "rekapnya saja, atau naikkan batas itu")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.RATIO_APPLIES_ABOVE and ratio > max_ratio:
            raise UnreadableFile(
                f"{path.name}: bagiannya {member.filename} dimampatkan {id_format(ratio)} banding 1, melebihi batas "
                f"{limits.MAX_XLSX_RATIO.describe(max_ratio)}, seperti bom ZIP, sehingga tidak dibuka; simpan ulang "
                "dari program lembar kerja, atau naikkan batas itu")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _xlsx_grid(path: Path, content: bytes) -> list[list[Cell]]:
    check_xlsx_members(path, content)
    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl (and defusedxml under it) raise many kinds for a damaged file
        raise UnreadableFile(f"{path.name}: bukan buku kerja XLSX yang dapat dibaca ({_short(exc)}); "
                             "simpan ulang dari program lembar kerja sebagai XLSX atau CSV") from None
    max_rows, max_chars = limits.MAX_ROWS.value, limits.MAX_CELL_CHARS.value
    if sheet.max_row > max_rows:
        raise UnreadableFile(_too_many_rows(path, max_rows))
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
                text = str(value)
                if len(text) > max_chars:
                    raise UnreadableFile(_cell_too_long(path, cell.row, cell.column, max_chars))
                cells.append(_text_cell(text))
        grid.append(cells)
    return grid
