"""Hostile recap files, small on disk: XLSX (ZIP) bombs, entity expansion, big CSVs.

A minimal workbook is written member by member at the highest compression, so a GiB of repetitive XML is
about 1 MB on disk. A bomb's sheet is a head, one block repeated, and a tail: the block is deflated once,
between two full flushes (so that it refers to nothing before it), and its bytes written as many times as
the block repeats. A GiB takes a fraction of a second to make (its CRC) instead of seconds of compression.
"""

import struct
import zlib
from pathlib import Path

import pytest

from tests.helpers.once import built_once

GIB = 1 << 30
TITLE = "REKAPITULASI HASIL PELAYANAN KB PROVINSI BENGKULU TAHUN 2022"

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
_SHEET_OPEN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_CLOSE = "</sheetData></worksheet>"


def _cell(value) -> str:
    if isinstance(value, (int, float)):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def row_xml(*values) -> str:
    return "<row>" + "".join(_cell(v) for v in values) + "</row>"


HEADER_ROWS = row_xml(TITLE) + row_xml("Kabupaten/Kota", "Sasaran", "Jumlah")


class _Deflated:
    """head + block * count + tail, as raw deflate data: (bytes, times written) pieces, the CRC and the size."""

    def __init__(self, head: bytes, block: bytes = b"", count: int = 0, tail: bytes = b""):
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.pieces = [(compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH), 1),
                       (compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH), count),
                       (compressor.compress(tail) + compressor.flush(), 1)]
        self.crc = zlib.crc32(head)
        for _ in range(count):
            self.crc = zlib.crc32(block, self.crc)
        self.crc = zlib.crc32(tail, self.crc)
        self.size = len(head) + len(block) * count + len(tail)
        self.compressed_size = sum(len(piece) * times for piece, times in self.pieces)
        if self.size >= 1 << 32:
            raise ValueError("a member of 4 GiB or more needs ZIP64, which this writer does not write")


def _write_zip(path: Path, members: dict[str, _Deflated]) -> Path:
    """A ZIP of deflated members (no ZIP64, no data descriptors, dated 1 January 1980)."""
    central = b""
    with path.open("wb") as out:
        for name, member in members.items():
            offset, encoded = out.tell(), name.encode()
            fields = (8, 0, 0x21, member.crc, member.compressed_size, member.size, len(encoded))
            out.write(struct.pack("<4s3H2H3L2H", b"PK\x03\x04", 20, 0, *fields, 0) + encoded)
            for piece, times in member.pieces:
                for _ in range(times):
                    out.write(piece)
            central += struct.pack("<4s4H2H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, 0,
                                   offset) + encoded
        start = out.tell()
        out.write(central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central),
                                        start, 0))
    return path


def write_xlsx(path: Path, sheet_head: str, block: bytes = b"", count: int = 0, sheet_tail: str = _SHEET_CLOSE
               ) -> Path:
    """A workbook of one sheet: sheet_head (from the XML declaration on), block count times, sheet_tail."""
    parts = {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS, "xl/workbook.xml": _WORKBOOK,
             "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS}
    return _write_zip(path, {**{name: _Deflated(text.encode()) for name, text in parts.items()},
                             "xl/worksheets/sheet1.xml": _Deflated(sheet_head.encode(), block, count,
                                                                   sheet_tail.encode())})


def xlsx_rows_bomb(path: Path, inflated: int = GIB) -> Path:
    """A valid recap header, then identical region rows, `inflated` bytes of them (rounded up to a whole row)."""
    row = row_xml("Kaur", 1500, 1200).encode()
    rows = -(-inflated // len(row))
    per_block = min(rows, (1 << 20) // len(row))
    blocks, rest = divmod(rows, per_block)
    return write_xlsx(path, _SHEET_OPEN + HEADER_ROWS, row * per_block, blocks, (row * rest).decode() + _SHEET_CLOSE)


def xlsx_cell_bomb(path: Path, inflated: int = GIB) -> Path:
    """A valid recap header, then one region row whose name is one cell of `inflated` characters."""
    block = b"A" * (1 << 20)
    return write_xlsx(path, _SHEET_OPEN + HEADER_ROWS + '<row><c t="inlineStr"><is><t>', block,
                      inflated // len(block), "</t></is></c>" + _cell(1500) + _cell(1200) + "</row>" + _SHEET_CLOSE)


def xlsx_bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The rows and cell bombs (a GiB each once inflated: seconds to compress), made once per test run for
    the files that read them; each worker its own copy."""
    def build(folder: Path) -> dict[str, str]:
        return {"rows": xlsx_rows_bomb(folder / "rows_bomb.xlsx").name,
                "cell": xlsx_cell_bomb(folder / "cell_bomb.xlsx").name}

    folder, names = built_once(tmp_path_factory, "xlsx-bombs", build)
    return {kind: folder / name for kind, name in names.items()}


def xlsx_merged_bomb(path: Path, ref: str = "A1:XFD1048576") -> Path:
    """A few KB: a valid recap whose sheet declares one merged range over the whole sheet."""
    body = HEADER_ROWS + row_xml("Kaur", 1500, 1200)
    suffix = f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells></worksheet>'
    return write_xlsx(path, _SHEET_OPEN + body, sheet_tail=suffix)


def xlsx_billion_laughs(path: Path) -> Path:
    """A sheet whose DOCTYPE defines entities nested ten deep (10^9 'lol's if expanded)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    prefix = ('<?xml version="1.0" encoding="UTF-8"?>\n'
              f"<!DOCTYPE worksheet [{entities}]>\n"
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    body = HEADER_ROWS + '<row><c t="inlineStr"><is><t>&lol9;</t></is></c>' + _cell(1500) + _cell(1200) + "</row>"
    return write_xlsx(path, prefix + body)


def big_csv(path: Path, size: int = 200 * (1 << 20)) -> Path:
    """A recap CSV (title, header) followed by region rows until the file is `size` bytes (~3.6 M rows)."""
    head = f"{TITLE};;\r\nKabupaten/Kota;Sasaran;Jumlah\r\n".encode("cp1252")
    row = b"Kaur;1.500;1.200\r\n"
    block = row * (min(size, 1 << 20) // len(row))
    with path.open("wb") as out:
        out.write(head)
        for _ in range(size // len(block)):
            out.write(block)
    return path


_MEASURE = """
import resource, subprocess, sys
try:
    code = subprocess.run(sys.argv[2:], timeout=float(sys.argv[1])).returncode
except subprocess.TimeoutExpired:
    code = -9
print(f"\\nPEAK_RSS_KIB {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", flush=True)
sys.exit(code)
"""


def run_measured(args: list, timeout: float = 300, env: dict | None = None) -> tuple[int, str, int]:
    """Runs a command: (exit code, stdout + stderr, its peak RSS in bytes). A small Python process starts
    the command and reads RUSAGE_CHILDREN after it exits, so the peak is the command's (and its waited-for
    children's) alone: a child forked straight from pytest would count pytest's own pages as well."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _MEASURE, str(timeout), *[str(a) for a in args]],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=timeout + 60)
    output = result.stdout.decode(errors="replace")
    head, _, peak = output.rpartition("PEAK_RSS_KIB ")
    return result.returncode, head, int(peak.strip()) * 1024
