"""The grid of a recap file (CSV as Excel writes it, or XLSX): rows of cells.

A cell is None (empty), a str (stripped) or a float (a numeric XLSX cell; a percent-formatted one is
already multiplied by 100, as the reader sees it).
"""

import csv
import io
import itertools
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from xml.parsers import expat

from kbetl.reference.indonesian import id_number
from kbetl.sources.recaps import limits, xlsx
from kbetl.sources.recaps.xlsx import cell_too_long, too_many_rows

Cell = xlsx.Cell
DELIMITERS = (";", ",", "\t")


class UnreadableFile(ValueError):
    pass


@dataclass
class Sheet:
    """One sheet's rows (a CSV's records), as a spreadsheet program numbers them."""
    rows: list[list[Cell]]
    name: str | None = None  # of an XLSX sheet
    workbook_sheets: list[str] = field(default_factory=list)  # every worksheet of the workbook, in order
    broken: dict[int, str] = field(default_factory=dict)  # row index -> why its line could not be split as others
    delimiter: str | None = None  # of a CSV
    continued: int = 0  # physical lines that continue a quoted cell of the row above (a CSV cell with a line break)


def shown_name(name: str | Path) -> str:
    """A file name for a message: a character that is not printable (a line break, a byte that is not
    UTF-8, arriving as a surrogate) is written escaped, so that no name can split or forge a line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in str(name))


def stored_name(name: str | Path) -> str:
    """A file name as the warehouse keeps it: as received, except bytes that are not UTF-8 (arriving as
    surrogates, which no database can store), written as backslash escapes."""
    return str(name).encode("utf-8", "backslashreplace").decode("utf-8")


def read_sheets(path: Path, content: bytes) -> Iterator[Sheet]:
    """The file's sheets in order (a CSV has one), each read when it is asked for."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_sheets(path, content)
    if suffix in (".csv", ".txt"):
        return iter([_csv_sheet(path, content)])
    raise UnreadableFile(f"{shown_name(path.name)}: jenis berkas {suffix!r} tidak didukung; kirim rekapnya sebagai "
                         "CSV atau XLSX")


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(content: bytes) -> str:
    """By its BOM (UTF-8, or UTF-16/32 as Excel's 'Unicode Text' saves it), else UTF-16 without a BOM when
    nearly every other byte is NUL, else UTF-8, else Windows-1252 (Excel's 'CSV' under an Indonesian locale)."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableFile(f"teksnya bukan {encoding.upper()} yang sah walaupun diawali penanda "
                                     f"{encoding.upper()}; simpan ulang sebagai CSV UTF-8 atau XLSX") from None
    encoding = _utf16_without_bom(content)  # before UTF-8, of which NUL bytes are valid too
    if encoding:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            raise UnreadableFile(f"teksnya tampak seperti {encoding.upper()} tanpa penanda BOM, tetapi bukan "
                                 f"{encoding.upper()} yang sah; simpan ulang sebagai CSV UTF-8 atau XLSX") from None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _utf16_without_bom(content: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the text looks like it: NUL in nearly every odd (or even) byte only."""
    head = content[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0) / (len(head) // 2), head[1::2].count(0) / (len(head) // 2)
    if odd > 0.6 and even < 0.05:
        return "utf-16-le"
    if even > 0.6 and odd < 0.05:
        return "utf-16-be"
    return None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The text's physical lines, ended by CRLF, LF or CR alike, one at a time."""
    return (m.group() for m in _LINE.finditer(text))


def _csv_sheet(path: Path, content: bytes) -> Sheet:
    """Records as a spreadsheet program reads them, except where a quote swallows the lines after it: a
    record spanning several lines whose multi-line cell holds the delimiter is not one cell with a line
    break but an unclosed quote; its lines are then read one by one, and the line with the odd quote is
    marked broken (so that it is rejected, naming the line, and the lines after it are read as written)."""
    name = shown_name(path.name)
    try:
        text = decode_text(content)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{name}: {exc}") from None
    if "\x00" in text:
        raise UnreadableFile(f"{name}: bukan berkas teks (berisi byte NUL); kirim CSV atau XLSX sebagaimana "
                             "disimpan oleh program lembar kerja")
    first_lines = list(itertools.islice((line for line in _lines(text) if line.strip()), 40))
    delimiter = max(DELIMITERS, key=lambda d: _fields_per_line(first_lines, d))
    max_rows = limits.MAX_ROWS.value
    sheet = Sheet([], delimiter=delimiter)
    for lines in _records(_lines(text)):
        fields = _fields(lines, delimiter)
        if len(lines) > 1 and any(("\n" in f or "\r" in f) and delimiter in f for f in fields):
            for line in lines:
                if line.count('"') % 2:
                    sheet.broken[len(sheet.rows)] = (
                        "tanda kutip (\") di baris ini tidak ditutup, sehingga baris-baris sesudahnya akan terbaca "
                        "sebagai satu sel; hapus atau tutup tanda kutip itu")
                    fields = line.rstrip("\r\n").split(delimiter)
                else:
                    fields = _fields([line], delimiter)
                _add(sheet, fields, name, max_rows)
        else:
            sheet.continued += len(lines) - 1
            _add(sheet, fields, name, max_rows)
    return sheet


def _records(lines: Iterator[str]) -> Iterator[list[str]]:
    """Physical lines grouped into records: a line with an odd number of quotes opens a quoted cell that the
    next line continues, until the quotes are even again (a doubled "" is two)."""
    record, quotes = [], 0
    for line in lines:
        record.append(line)
        quotes += line.count('"')
        if quotes % 2 == 0:
            yield record
            record, quotes = [], 0
    if record:
        yield record


def _fields(lines: list[str], delimiter: str) -> list[str]:
    previous = csv.field_size_limit(sys.maxsize)  # one record is at most the file, whose size is limited
    try:
        return next(csv.reader(["".join(lines)], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return "".join(lines).rstrip("\r\n").split(delimiter)
    finally:
        csv.field_size_limit(previous)


def _add(sheet: Sheet, fields: list[str], name: str, max_rows: int) -> None:
    number = len(sheet.rows) + 1
    if number > max_rows:
        raise UnreadableFile(f"{name}: " + too_many_rows(max_rows))
    max_cols = limits.MAX_COLUMNS.value
    if len(fields) > max_cols:
        raise UnreadableFile(f"{name}: baris {number} memuat {id_number(len(fields))} kolom, melebihi batas "
                             f"{limits.MAX_COLUMNS.describe(max_cols)} kolom untuk satu lembar rekap; hapus kolom yang "
                             "tidak dipakai, atau naikkan batas itu")
    sheet.rows.append([_text_cell(v, name, number, col) for col, v in enumerate(fields, 1)])


def _fields_per_line(lines: list[str], delimiter: str) -> float:
    try:
        counts = [len(row) for row in csv.reader(lines[:40], delimiter=delimiter)]
    except csv.Error:
        return 0
    return median(counts) if counts else 0


def _text_cell(value: str, name: str, row: int, col: int) -> Cell:
    if len(value) > limits.MAX_CELL_CHARS.value:
        raise UnreadableFile(f"{name}: " + cell_too_long(row, col, limits.MAX_CELL_CHARS.value))
    value = value.replace("\xa0", " ").strip()
    return value or None


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of Excel 97-2003 files and of encrypted workbooks


def check_xlsx_members(path: Path, content: bytes) -> None:
    """The ZIP's directory against the limits, before anything is inflated: the uncompressed size of all
    members, and the compression ratio of each big one. (zipfile never inflates a member past the size
    its directory states, so a directory that lies cannot get past this either.)"""
    name = shown_name(path.name)
    if content.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in content:
            raise UnreadableFile(f"{name}: buku kerja ini dilindungi kata sandi, sehingga tidak dapat dibaca; buka "
                                 "dengan kata sandinya, hapus perlindungannya, lalu simpan ulang sebagai XLSX")
        raise UnreadableFile(f"{name}: berkas ini buku kerja Excel 97-2003 (.xls) walaupun bernama .xlsx; simpan ulang "
                             "dari program lembar kerja sebagai XLSX atau CSV")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableFile(f"{name}: bukan buku kerja XLSX yang dapat dibaca (bukan arsip ZIP: {_short(exc)}); "
                             "simpan ulang dari program lembar kerja sebagai XLSX atau CSV") from None
    max_bytes, max_ratio = limits.MAX_XLSX_BYTES.value, limits.MAX_XLSX_RATIO.value
    total = sum(m.file_size for m in members)
    if total > max_bytes:
        raise UnreadableFile(
            f"{name}: isinya menjadi {id_number(total / limits.MIB)} MiB setelah dibuka, melebihi batas "
            f"{limits.MAX_XLSX_BYTES.describe(max_bytes)} untuk buku kerja rekap, sehingga tidak dibuka; kirim lembar "
            "rekapnya saja, atau naikkan batas itu")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.RATIO_APPLIES_ABOVE and ratio > max_ratio:
            raise UnreadableFile(
                f"{name}: bagiannya {member.filename} dimampatkan {id_number(ratio)} banding 1, melebihi batas "
                f"{limits.MAX_XLSX_RATIO.describe(max_ratio)}, seperti bom ZIP, sehingga tidak dibuka; simpan ulang "
                "dari program lembar kerja, atau naikkan batas itu")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _xlsx_sheets(path: Path, content: bytes) -> Iterator[Sheet]:
    check_xlsx_members(path, content)
    name = shown_name(path.name)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [sheet for sheet, _ in xlsx.sheet_names(archive)]
            for sheet in xlsx.read_sheets(archive):
                yield Sheet(sheet.rows, sheet.name, names)
    except xlsx.SheetLimit as exc:
        raise UnreadableFile(f"{name}: {exc}") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, expat.ExpatError) as exc:
        raise UnreadableFile(f"{name}: bukan buku kerja XLSX yang dapat dibaca ({_short(exc)}); "
                             "simpan ulang dari program lembar kerja sebagai XLSX atau CSV") from None
