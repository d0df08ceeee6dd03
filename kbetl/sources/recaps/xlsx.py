"""The sheets of an XLSX workbook, streamed from its ZIP with a budget enforced while reading.

openpyxl holds a whole sheet, builds an object for every cell of a merged range and gathers a cell's whole
text before anything can look at it: a 2.5 KB file declaring one merged range over the whole sheet takes
6 GB. Here the XML is fed to expat in 64 KiB pieces, and each limit is checked as the parser reaches it: a
row number over the row limit, a column over the column limit, a cell's text over the cell limit, a merged
range larger than the sheet may be. So a sheet costs at most its rows × columns of cells and its text,
whatever the file declares. Shared strings and styles are kept only where the sheet refers to them.
A DOCTYPE is refused (a worksheet never has one), so no entity is ever expanded.
"""

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from kbetl.sources.recaps import limits

Cell = str | float | None
CHUNK = 1 << 16
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
_PERCENT_FORMATS = {9, 10}  # Excel's built-in 0% and 0.00%


class SheetLimit(ValueError):
    """A sheet breaks a limit; the message is the part of a sentence after the file's name."""


@dataclass
class XlsxSheet:
    name: str
    rows: list[list[Cell]]


@dataclass
class _Raw:
    # (row, col) -> (type, text, style)
    cells: dict[tuple[int, int], tuple[str, str, int | None]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    strings: set[int] = field(default_factory=set)
    styles: set[int] = field(default_factory=set)


def sheet_names(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, member) of each worksheet, in the workbook's order."""
    rels = _relationships(archive, "xl/_rels/workbook.xml.rels", "xl")
    found = []

    def start(tag, attrs):
        if tag == "sheet":
            target = rels.get(attrs.get("id"))
            if target and target[0].endswith("/worksheet"):
                found.append((attrs.get("name", ""), target[1]))

    _parse(archive, "xl/workbook.xml", start)
    return found


def read_sheets(archive: zipfile.ZipFile) -> Iterator[XlsxSheet]:
    """Each worksheet in turn (one in memory at a time)."""
    rels = _relationships(archive, "xl/_rels/workbook.xml.rels", "xl")
    parts = {kind.rsplit("/", 1)[-1]: member for kind, member in rels.values()}
    for name, member in sheet_names(archive):
        raw = _read_sheet(archive, member)
        strings = _shared_strings(archive, parts.get("sharedStrings", "xl/sharedStrings.xml"), raw.strings)
        percent = _percent_styles(archive, parts.get("styles", "xl/styles.xml"), raw.styles)
        yield XlsxSheet(name, _grid(raw, strings, percent))


def _grid(raw: _Raw, strings: dict[int, str], percent: set[int]) -> list[list[Cell]]:
    values: dict[tuple[int, int], Cell] = {}
    for (row, col), (kind, text, style) in raw.cells.items():
        values[(row, col)] = _value(kind, text, style, strings, percent)
    for min_row, min_col, max_row, max_col in raw.merges:
        top_left = values.get((min_row, min_col))
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                values[(row, col)] = top_left
    if not values:
        return []
    width = {}
    for row, col in values:
        width[row] = max(width.get(row, 0), col)
    grid = [[None] * width.get(row, 0) for row in range(1, max(width) + 1)]
    for (row, col), value in values.items():
        grid[row - 1][col - 1] = value
    return grid


def _value(kind: str, text: str, style: int | None, strings: dict[int, str], percent: set[int]) -> Cell:
    if kind == "s":
        text = strings.get(int(text), "") if text.strip().isdigit() else ""
    elif kind == "b":
        return None
    elif kind in ("", "n"):
        try:
            number = float(text)
        except ValueError:
            return None
        return number * 100 if style in percent else number
    text = text.replace("\xa0", " ").strip()
    return text or None


def _read_sheet(archive: zipfile.ZipFile, member: str) -> _Raw:
    max_rows, max_cols, max_chars = limits.MAX_ROWS.value, limits.MAX_COLUMNS.value, limits.MAX_CELL_CHARS.value
    raw = _Raw()
    state = {"row": 0, "col": 0, "cell": None, "text": None, "size": 0, "merged": 0}

    def start(tag, attrs):
        if tag == "row":
            state["row"] = int(attrs["r"]) if attrs.get("r", "").isdigit() else state["row"] + 1
            state["col"] = 0
            if state["row"] > max_rows:
                raise SheetLimit(too_many_rows(max_rows))
        elif tag == "c":
            ref = _REF.match(attrs.get("r", ""))
            row, col = (int(ref.group(2)), _column(ref.group(1))) if ref else (state["row"], state["col"] + 1)
            if row > max_rows:
                raise SheetLimit(too_many_rows(max_rows))
            if col > max_cols:
                raise SheetLimit(f"sel {attrs.get('r', '')} melewati batas {limits.MAX_COLUMNS.describe(max_cols)} "
                                 "kolom untuk satu lembar rekap; hapus kolom yang tidak dipakai, atau naikkan batas "
                                 "itu")
            state["row"], state["col"] = row, col
            style = attrs.get("s")
            style = int(style) if style and style.isdigit() else None
            state["cell"] = [attrs.get("t", ""), "", style]
            if style is not None:
                raw.styles.add(style)
        elif tag in ("v", "t") and state["cell"] is not None:
            state["text"], state["size"] = [], 0
        elif tag == "mergeCell":
            merge = _range(attrs.get("ref", ""))
            if merge is None:
                return
            min_row, min_col, max_row, max_col = merge
            state["merged"] += (max_row - min_row + 1) * (max_col - min_col + 1)
            if max_row > max_rows or max_col > max_cols or state["merged"] > max_rows * max_cols:
                raise SheetLimit(
                    f"sel gabungan {attrs.get('ref')} melewati batas lembar rekap "
                    f"({limits.MAX_ROWS.describe(max_rows)} baris, {limits.MAX_COLUMNS.describe(max_cols)} kolom), "
                    "sehingga tidak dibuka; hapus "
                    "penggabungan sel itu, atau naikkan batas itu")
            raw.merges.append(merge)

    def text(data):
        if state["text"] is not None:
            state["size"] += len(data)
            if state["size"] > max_chars:
                raise SheetLimit(cell_too_long(state["row"], state["col"], max_chars))
            state["text"].append(data)

    def end(tag):
        cell = state["cell"]
        if tag in ("v", "t") and state["text"] is not None:
            cell[1] += "".join(state["text"])
            state["text"] = None
            if len(cell[1]) > max_chars:
                raise SheetLimit(cell_too_long(state["row"], state["col"], max_chars))
        elif tag == "c" and cell is not None:
            if cell[0] == "s" and cell[1].strip().isdigit():
                raw.strings.add(int(cell[1]))
            if cell[1]:
                raw.cells[(state["row"], state["col"])] = tuple(cell)
            state["cell"] = None

    _parse(archive, member, start, text, end)
    return raw


def _shared_strings(archive: zipfile.ZipFile, member: str, wanted: set[int]) -> dict[int, str]:
    """The shared strings the sheet refers to: the text of their <t> elements, without a phonetic reading
    (<rPh>)."""
    max_chars = limits.MAX_CELL_CHARS.value
    strings: dict[int, str] = {}
    state = {"index": -1, "text": None, "size": 0, "phonetic": False, "in_t": False}

    def start(tag, attrs):
        if tag == "si":
            state["index"] += 1
            state["text"], state["size"] = ([] if state["index"] in wanted else None), 0
        elif tag == "rPh":
            state["phonetic"] = True
        elif tag == "t":
            state["in_t"] = True

    def text(data):
        if state["text"] is None or not state["in_t"] or state["phonetic"]:
            return
        state["size"] += len(data)
        if state["size"] > max_chars:
            raise SheetLimit(f"teks bersama nomor {state['index']} melebihi batas "
                             f"{limits.MAX_CELL_CHARS.describe(max_chars)} karakter untuk satu sel; perbaiki sel itu, "
                             "atau naikkan batas itu")
        state["text"].append(data)

    def end(tag):
        if tag == "rPh":
            state["phonetic"] = False
        elif tag == "t":
            state["in_t"] = False
        elif tag == "si" and state["text"] is not None:
            strings[state["index"]] = "".join(state["text"])
            state["text"] = None

    _parse(archive, member, start, text, end, missing_ok=True)
    return strings


def _percent_styles(archive: zipfile.ZipFile, member: str, wanted: set[int]) -> set[int]:
    """Of the cell styles the sheet uses, those whose number format shows a percentage."""
    formats: dict[int, str] = {}
    cell_styles: dict[int, int] = {}
    state = {"in_xfs": False, "index": -1}

    def start(tag, attrs):
        if tag == "numFmt" and attrs.get("numFmtId", "").isdigit() and len(formats) < 10_000:
            formats[int(attrs["numFmtId"])] = attrs.get("formatCode", "")[:256]
        elif tag == "cellXfs":
            state["in_xfs"] = True
        elif tag == "xf" and state["in_xfs"]:
            state["index"] += 1
            if state["index"] in wanted and attrs.get("numFmtId", "").isdigit():
                cell_styles[state["index"]] = int(attrs["numFmtId"])

    def end(tag):
        if tag == "cellXfs":
            state["in_xfs"] = False

    _parse(archive, member, start, None, end, missing_ok=True)
    return {style for style, number_format in cell_styles.items()
            if number_format in _PERCENT_FORMATS or "%" in re.sub(r'"[^"]*"|\\.', "", formats.get(number_format, ""))}


def _relationships(archive: zipfile.ZipFile, member: str, base: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, member path) of a part's relationships."""
    found = {}

    def start(tag, attrs):
        if tag == "Relationship" and len(found) < 100_000:
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

    _parse(archive, member, start, missing_ok=True)
    return found


def _parse(archive: zipfile.ZipFile, member: str, start: Callable, text: Callable | None = None,
           end: Callable | None = None, missing_ok: bool = False) -> None:
    """Streams one member through expat, calling start(local tag, attributes by local name), text(data) and
    end(local tag)."""
    name = _member(archive, member)
    if name is None:
        if missing_ok:
            return
        raise SheetLimit(f"bagian {member} tidak ada di dalam buku kerja; simpan ulang dari program lembar kerja "
                         "sebagai XLSX atau CSV")
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = False
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*args):
        raise SheetLimit(f"bagian {member} memuat DOCTYPE, yang tidak pernah ada dalam XLSX yang sah, sehingga "
                         "tidak dibuka; simpan ulang dari program lembar kerja sebagai XLSX atau CSV")

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = lambda tag, attrs: start(_local(tag), {_local(k): v for k, v in attrs.items()})
    if text:
        parser.CharacterDataHandler = text
    if end:
        parser.EndElementHandler = lambda tag: end(_local(tag))
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _member(archive: zipfile.ZipFile, member: str) -> str | None:
    names = {n.lower(): n for n in archive.namelist()}
    return names.get(member.lower())


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _range(ref: str) -> tuple[int, int, int, int] | None:
    first, _, last = ref.upper().partition(":")
    a, b = _REF.match(first), _REF.match(last or first)
    if not a or not b:
        return None
    rows = sorted((int(a.group(2)), int(b.group(2))))
    cols = sorted((_column(a.group(1)), _column(b.group(1))))
    return rows[0], cols[0], rows[1], cols[1]


def too_many_rows(max_rows: int) -> str:
    return (f"jumlah barisnya melebihi batas {limits.MAX_ROWS.describe(max_rows)} untuk satu lembar rekap; kirim "
            "lembar rekapnya saja, atau naikkan batas itu")


def cell_too_long(row: int, col: int, max_chars: int) -> str:
    return (f"baris {row}, kolom {col}: panjang selnya melebihi batas {limits.MAX_CELL_CHARS.describe(max_chars)} "
            "karakter untuk satu sel; perbaiki sel itu, atau naikkan batas itu")
