"""Recap files that cannot be read, or would take all memory to read: each refused on its own, with one
sentence naming it (and the limit), and peak memory of `kbetl validate`/`ingest` kept under 1.5 GiB."""

import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from kbetl.sources.recaps import limits
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.bombs import (
    GIB,
    big_csv,
    run_measured,
    xlsx_billion_laughs,
    xlsx_bombs,
    xlsx_cell_bomb,
    xlsx_rows_bomb,
)
from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252
from tests.helpers.warehouse import query

KBETL = Path(sys.executable).parent / "kbetl"
SAMPLE_2022 = Path(__file__).resolve().parents[2] / "data" / "sample" / "2022"
BUDGET = int(1.5 * (1 << 30))
SHEET = "xl/worksheets/sheet1.xml"
GOOD_ROWS = ("Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.282;152,13",
             "Kota Bengkulu;2.000;-;-;2.000;488;0;0;0;2.488;124,40")


def one_sentence_naming(message: str, name: str) -> bool:
    return name in message and "\n" not in message and "Traceback" not in message


# 1. One unreadable file must not sink the others; encodings a spreadsheet saves are read.

def test_binary_garbage_csv_is_refused_naming_the_file(tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 16 + b"\r\n\x00\"x\ry\n" * 40)
    staged = stage_recap(garbage)
    assert staged.recap is None and one_sentence_naming(staged.refused, "garbage.csv"), staged.refused


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_with_bom_is_read(tmp_path, encoding):
    cp1252 = write_semicolon_cp1252(tmp_path / "cp.csv", bengkulu_rows(*GOOD_ROWS))
    text = cp1252.read_bytes().decode("cp1252")
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    path = tmp_path / f"bengkulu_{encoding}.csv"
    path.write_bytes(bom + text.encode(encoding))
    staged = stage_recap(path)
    assert staged.refused is None, staged.refused
    assert staged.recap.accepted["region_code"].tolist() == ["1701", "1771"]


@pytest.fixture(scope="module")
def ingested(bombs, tmp_path_factory) -> dict:
    """One `kbetl ingest` of a folder (three good recaps, two unreadable files) and of the three bombs, which its
    tasks read side by side: its exit code, output and peak RSS, the good files' names, the files loaded, and the
    files refused with their reasons."""
    folder = tmp_path_factory.mktemp("ingest") / "in"
    folder.mkdir()
    good = sorted(SAMPLE_2022.glob("1*.csv"))[:3]
    for path in good:
        shutil.copy(path, folder / path.name)
    (folder / "zz_garbage.csv").write_bytes(bytes(range(256)) * 16)
    (folder / "zz_binary.xlsx").write_bytes(os.urandom(4096))
    db = folder.parent / "w.duckdb"
    code, output, peak = run_measured([KBETL, "ingest", folder, bombs["rows"], bombs["cell"], bombs["csv"],
                                       "--db", db], timeout=300)
    print(f"ingest of a folder and the three bombs: peak RSS {peak / (1 << 20):.0f} MiB")
    return {"code": code, "output": output, "peak": peak, "good": {p.name for p in good},
            "loaded": {name for (name,) in query(db, "select file_name from raw.landed_files")},
            "refused": query(db, "select file_name, reason from audit.refused_files order by file_name")}


def test_ingest_folder_loads_the_good_files_and_refuses_the_bad_ones(ingested, bombs):
    assert ingested["code"] == 1, ingested["output"]
    assert "Traceback" not in ingested["output"], ingested["output"]
    assert ingested["loaded"] == ingested["good"]
    refused = ingested["refused"]
    assert [name for name, _ in refused] == sorted(["zz_binary.xlsx", "zz_garbage.csv",
                                                    *(bombs[kind].name for kind in ("rows", "cell", "csv"))])
    assert all(one_sentence_naming(reason, name) for name, reason in refused), refused


# 2. Limits: size before reading, XLSX members checked before openpyxl opens them, rows and cell length.

@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    return {**xlsx_bombs(tmp_path_factory), "csv": big_csv(tmp_path_factory.mktemp("bombs") / "big.csv")}


def test_bombs_are_small_on_disk(bombs):
    assert bombs["rows"].stat().st_size < 4 << 20 and bombs["cell"].stat().st_size < 2 << 20
    for name in ("rows", "cell"):
        with zipfile.ZipFile(bombs[name]) as book:
            assert book.getinfo(SHEET).file_size >= GIB


def test_a_bomb_inflates_to_the_sheet_it_declares(tmp_path):
    """The bombs' ZIP writer (a block deflated once, its bytes repeated), at 3 MiB: every member's CRC checks
    out, the sheet has the size declared, and after the header it holds nothing but whole identical rows, 3 MiB
    of them."""
    with zipfile.ZipFile(xlsx_rows_bomb(tmp_path / "rows.xlsx", inflated=3 << 20)) as book:
        assert book.testzip() is None
        sheet, declared = book.read(SHEET), book.getinfo(SHEET).file_size
    assert len(sheet) == declared
    row = b'<row><c t="inlineStr"><is><t>Kaur</t></is></c><c><v>1500</v></c><c><v>1200</v></c></row>'
    close = b"</sheetData></worksheet>"
    assert b"REKAPITULASI HASIL PELAYANAN KB" in sheet[:sheet.index(row)] and sheet.endswith(close)
    rows = sheet[sheet.index(row):-len(close)]
    assert rows == row * (len(rows) // len(row)) and 3 << 20 <= len(rows) < (3 << 20) + len(row)


@pytest.mark.parametrize("name, limit", [("rows", limits.MAX_XLSX_BYTES), ("cell", limits.MAX_XLSX_BYTES),
                                         ("csv", limits.MAX_FILE_BYTES)])
def test_bomb_is_refused_naming_the_file_and_the_limit(bombs, name, limit, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the ZIP check should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    monkeypatch.setattr("kbetl.sources.recaps.grid.load_workbook", never, raising=False)
    staged = stage_recap(bombs[name])
    assert staged.recap is None
    assert one_sentence_naming(staged.refused, bombs[name].name) and limit.env in staged.refused, staged.refused


def test_compression_ratio_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("KBETL_RECAP_MAX_XLSX_BYTES", str(1 << 30))
    path = xlsx_cell_bomb(tmp_path / "ratio.xlsx", inflated=8 << 20)
    refused = stage_recap(path).refused
    assert one_sentence_naming(refused, "ratio.xlsx") and "KBETL_RECAP_MAX_XLSX_RATIO" in refused, refused


def test_rows_limit_for_csv_and_xlsx(tmp_path, monkeypatch):
    monkeypatch.setenv("KBETL_RECAP_MAX_ROWS", "500")
    monkeypatch.setenv("KBETL_RECAP_MAX_XLSX_RATIO", "100000")  # identical rows compress far better than a sheet
    csv_path = big_csv(tmp_path / "rows.csv", size=64 << 10)
    xlsx_path = xlsx_rows_bomb(tmp_path / "rows.xlsx", inflated=1 << 20)
    for path in (csv_path, xlsx_path):
        refused = stage_recap(path).refused
        assert one_sentence_naming(refused, path.name) and "KBETL_RECAP_MAX_ROWS" in refused, refused


def test_cell_length_limit_for_csv_and_xlsx(tmp_path, monkeypatch):
    monkeypatch.setenv("KBETL_RECAP_MAX_XLSX_RATIO", "100000")
    csv_path = write_semicolon_cp1252(tmp_path / "long.csv", bengkulu_rows("A" * 40_000 + ";1;;;;;;;;1;", *GOOD_ROWS))
    xlsx_path = xlsx_cell_bomb(tmp_path / "long.xlsx", inflated=1 << 20)
    for path in (csv_path, xlsx_path):
        refused = stage_recap(path).refused
        assert one_sentence_naming(refused, path.name) and "KBETL_RECAP_MAX_CELL_CHARS" in refused, refused


def test_file_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setenv("KBETL_RECAP_MAX_FILE_BYTES", "100")
    path = write_semicolon_cp1252(tmp_path / "small.csv", bengkulu_rows(*GOOD_ROWS, *GOOD_ROWS))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"read {self} before checking its size"))
    refused = stage_recap(path).refused
    assert one_sentence_naming(refused, "small.csv") and "KBETL_RECAP_MAX_FILE_BYTES" in refused, refused


@pytest.fixture(scope="module")
def validated_bombs(bombs) -> tuple[int, str, int]:
    """One `kbetl validate` of the three bombs (read one after another): its peak bounds each file's."""
    code, output, peak = run_measured([KBETL, "validate", bombs["rows"], bombs["cell"], bombs["csv"]], timeout=120)
    print(f"validate of the three bombs: peak RSS {peak / (1 << 20):.0f} MiB")
    return code, output, peak


@pytest.mark.parametrize("name", ["rows", "cell", "csv"])
def test_validate_peak_memory_under_budget(bombs, validated_bombs, name):
    code, output, peak = validated_bombs
    assert code == 1 and "Traceback" not in output and f"DITOLAK {bombs[name]}" in output, output
    assert peak < BUDGET


def test_validate_of_a_200_mb_csv_with_the_size_limit_raised_stays_bounded(bombs):
    env = {**os.environ, "KBETL_RECAP_MAX_FILE_BYTES": str(1 << 30)}
    code, output, peak = run_measured([KBETL, "validate", bombs["csv"]], timeout=120, env=env)
    print(f"validate big.csv, size limit raised: peak RSS {peak / (1 << 20):.0f} MiB")
    assert code == 1 and "KBETL_RECAP_MAX_ROWS" in output and "Traceback" not in output, output
    assert peak < BUDGET


def test_ingest_peak_memory_under_budget(ingested, bombs):
    """The three bombs and good files in one `kbetl ingest`, whose tasks read them side by side: its peak bounds
    each file's."""
    assert ingested["code"] == 1 and "Traceback" not in ingested["output"], ingested["output"]
    assert ingested["peak"] < BUDGET
    names = [bombs[kind].name for kind in ("rows", "cell", "csv")]
    refused = [(name, reason) for name, reason in ingested["refused"] if name in names]
    assert sorted(name for name, _ in refused) == sorted(names), ingested["refused"]
    assert all(one_sentence_naming(reason, name) for name, reason in refused), refused


# Held: billion laughs in an XLSX (openpyxl parses with defusedxml when it is installed).

def test_openpyxl_uses_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_billion_laughs_xlsx_is_refused(tmp_path):
    path = xlsx_billion_laughs(tmp_path / "laughs.xlsx")
    code, output, peak = run_measured([KBETL, "validate", path], timeout=60)
    assert code == 1 and "laughs.xlsx" in output and "Traceback" not in output, output
    assert peak < BUDGET
