"""Hostile recap files, small on disk: XLSX (ZIP) bombs made with zipfile, entity expansion, big CSVs.

A minimal workbook is written member by member; the sheet is streamed into the ZIP at the highest
compression, so a GiB of repetitive XML is about 1 MB on disk and takes a couple of seconds to make.
"""

import zipfile
from collections.abc import Iterable
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


def write_xlsx_parts(path: Path, sheet_chunks: Iterable[bytes], *, sheet_prefix: str = _SHEET_OPEN,
                     sheet_suffix: str = _SHEET_CLOSE) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(sheet_prefix.encode())
            for chunk in sheet_chunks:
                sheet.write(chunk)
            sheet.write(sheet_suffix.encode())
    return path


def xlsx_rows_bomb(path: Path, inflated: int = GIB) -> Path:
    """A valid recap header, then identical region rows until the sheet is `inflated` bytes."""
    row = row_xml("Kaur", 1500, 1200).encode()
    block = row * (min(inflated, 1 << 20) // len(row))
    chunks = [HEADER_ROWS.encode()] + [block] * (inflated // len(block))
    return write_xlsx_parts(path, chunks)


def xlsx_cell_bomb(path: Path, inflated: int = GIB) -> Path:
    """A valid recap header, then one region row whose name is one cell of `inflated` characters."""
    block = b"A" * (1 << 20)

    def chunks():
        yield (HEADER_ROWS + '<row><c t="inlineStr"><is><t>').encode()
        for _ in range(inflated // len(block)):
            yield block
        yield ("</t></is></c>" + _cell(1500) + _cell(1200) + "</row>").encode()

    return write_xlsx_parts(path, chunks())


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
    return write_xlsx_parts(path, [body.encode()], sheet_suffix=suffix)


def xlsx_billion_laughs(path: Path) -> Path:
    """A sheet whose DOCTYPE defines entities nested ten deep (10^9 'lol's if expanded)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    prefix = ('<?xml version="1.0" encoding="UTF-8"?>\n'
              f"<!DOCTYPE worksheet [{entities}]>\n"
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    body = HEADER_ROWS + '<row><c t="inlineStr"><is><t>&lol9;</t></is></c>' + _cell(1500) + _cell(1200) + "</row>"
    return write_xlsx_parts(path, [body.encode()], sheet_prefix=prefix)


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
