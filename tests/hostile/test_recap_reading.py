"""Reading recap files as a hostile or careless sender makes them (issue 20): memory bounded by design
whatever a workbook declares and whatever limit an operator raised, names that cannot forge a line,
folders, sheets, encodings and years, and every row of a file accounted for."""

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from kbetl.reports.validation import validation_report
from kbetl.sources.recaps.stage import UNEXPECTED, stage_recap
from tests.helpers.bombs import GIB, run_measured, xlsx_bombs, xlsx_merged_bomb
from tests.helpers.recap_files import (
    BENGKULU_TITLE,
    HEADER_TWO_ROWS,
    bengkulu_rows,
    write_bantul_current_users,
    write_semicolon_cp1252,
)

KBETL = Path(sys.executable).parent / "kbetl"
BUDGET = int(1.5 * GIB)
GOOD_ROWS = ("Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.282;152,13",
             "Kaur;1.000;100;50;500;100;200;20;10;980;98,00",
             "Kota Bengkulu;2.000;-;-;2.000;488;0;0;0;2.488;124,40")


def env_with(**settings) -> dict:
    return {**os.environ, "PREFECT_HOME": os.environ.get("PREFECT_HOME", "/tmp"), **settings}


def one_sentence_naming(message: str, name: str) -> bool:
    return name in message and "\n" not in message and "Traceback" not in message


def accounted(item) -> bool:
    """rows read = accepted + rejected + skipped, over the file's parts."""
    accepted = sum(r.rows_accepted for r in item.recaps)
    rejected = sum(r.rows_rejected for r in item.recaps)
    return item.rows_read == accepted + rejected + item.rows_skipped


# 1. A merged range over the whole sheet (openpyxl made a cell for each: 6 GB)

def test_a_merged_range_over_the_whole_sheet_is_refused_within_the_budget(tmp_path):
    path = xlsx_merged_bomb(tmp_path / "merged.xlsx")
    assert path.stat().st_size < 4096
    code, output, peak = run_measured([KBETL, "validate", path], timeout=120)
    print(f"validate merged.xlsx: peak RSS {peak / (1 << 20):.0f} MiB")
    assert code == 1 and "Traceback" not in output, output
    assert "merged.xlsx" in output and "A1:XFD1048576" in output and "KBETL_RECAP_MAX_ROWS" in output, output
    assert peak < BUDGET


def test_merged_header_cells_within_the_sheet_are_still_read(tmp_path):
    path = xlsx_merged_bomb(tmp_path / "header.xlsx", ref="A1:C1")
    item = stage_recap(path)
    assert item.refused is None, item.refused
    assert item.recap.accepted["region_code"].tolist() == ["1704"]


# 4. Limits raised by an operator: the row and cell budgets still hold while reading

RAISED = {"KBETL_RECAP_MAX_FILE_BYTES": str(GIB), "KBETL_RECAP_MAX_XLSX_BYTES": str(4 * GIB),
          "KBETL_RECAP_MAX_XLSX_RATIO": str(10 ** 6)}


@pytest.fixture(scope="module")
def big_bombs(tmp_path_factory) -> dict[str, Path]:
    return xlsx_bombs(tmp_path_factory)


@pytest.fixture(scope="module", params=["validate", "ingest"])
def raised_run(request, big_bombs, tmp_path_factory) -> tuple[int, str, int]:
    """`kbetl validate` (the files one after another) or `kbetl ingest` (its tasks read them side by side) of
    both bombs, size limits raised: the process's peak bounds each file's."""
    args = [KBETL, request.param, big_bombs["rows"], big_bombs["cell"]]
    if request.param == "ingest":
        args += ["--db", tmp_path_factory.mktemp("raised") / "w.duckdb"]
    code, output, peak = run_measured(args, timeout=300, env=env_with(**RAISED))
    print(f"{request.param} of both bombs, size limits raised: peak RSS {peak / (1 << 20):.0f} MiB")
    return code, output, peak


@pytest.mark.parametrize("name, limit", [("rows", "KBETL_RECAP_MAX_ROWS"), ("cell", "KBETL_RECAP_MAX_CELL_CHARS")])
def test_a_1_gib_bomb_with_the_size_limits_raised_stays_bounded(big_bombs, raised_run, name, limit):
    code, output, peak = raised_run
    assert code == 1 and "Traceback" not in output, output
    assert any(big_bombs[name].name in line and limit in line for line in output.splitlines()), output
    assert peak < BUDGET


# 5. Many files: memory does not grow with their number; progress on a terminal

def small_recaps(folder: Path, count: int) -> Path:
    folder.mkdir()
    text = (f"{BENGKULU_TITLE};;;;;;;;;;;\r\n;;;;;;;;;;;\r\n{HEADER_TWO_ROWS}"
            + bengkulu_rows(*GOOD_ROWS))
    for i in range(count):
        (folder / f"bengkulu_{i:05d}.csv").write_bytes((text + f"Catatan {i}\r\n").encode("cp1252"))
    return folder


def test_peak_memory_of_400_files_is_that_of_20(tmp_path):
    """Twenty times the files, the same peak: files are read one at a time and nothing of a file is kept
    once it is reported. 380 more files within 10% of the peak (about 19 MiB) leaves at most ~50 KB kept per
    file, over 100 times a file's 432 bytes (5.000 files take minutes to read here; the closing note of issue
    20 quotes them)."""
    peaks = {}
    for count in (20, 400):
        folder = small_recaps(tmp_path / str(count), count)
        code, output, peaks[count] = run_measured([KBETL, "validate", folder], timeout=900)
        shown = f"{count:,}".replace(",", ".")
        assert code == 0 and f"{shown} berkas diperiksa, 0 bermasalah" in output, output[-500:]
    print(f"validate: peak RSS 20 files {peaks[20] / (1 << 20):.0f} MiB, 400 files {peaks[400] / (1 << 20):.0f} MiB")
    assert peaks[400] <= 1.10 * peaks[20]


def test_progress_is_shown_on_a_terminal(tmp_path):
    folder = small_recaps(tmp_path / "in", 12)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    process = subprocess.Popen([KBETL, "validate", folder], stdout=subprocess.DEVNULL, stderr=slave,
                               env=env_with())
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        try:
            chunk = os.read(master, 4096) if ready else b""
        except OSError:  # the terminal closes when the process ends
            chunk = b""
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=120)
    os.close(master)
    # a bar that counted files (its last refresh may come before the last file: tqdm redraws at most 10 a second)
    assert re.search(rb"recap files:.*\b([1-9]|1[0-2])/12 ", shown), shown


# 10. Names printed escaped: a line break in a name cannot forge a line

def test_a_name_with_a_line_break_cannot_forge_an_ok_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x\nOK palsu.csv").write_bytes(b"\x00garbage")
    code, output, _ = run_measured([KBETL, "validate", folder], timeout=120, env=env_with())
    assert code == 1, output
    lines = output.splitlines()
    assert not any(line.startswith("OK") for line in lines), output
    assert any(line.startswith("DITOLAK") and "x\\nOK palsu.csv" in line for line in lines), output


def test_a_name_that_is_not_utf8_is_loaded_and_shown_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"bengkulu_caf\xe9.csv")
    write_semicolon_cp1252(folder / name, bengkulu_rows(*GOOD_ROWS))
    db = tmp_path / "w.duckdb"
    code, output, _ = run_measured([KBETL, "ingest", folder, "--db", db], timeout=300, env=env_with())
    assert code == 0 and "Traceback" not in output, output
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [n for (n,) in con.execute("select file_name from raw.landed_files").fetchall()]
    finally:
        con.close()
    assert names == ["bengkulu_caf\\udce9.csv"]
    code, output, _ = run_measured([KBETL, "validate", folder], timeout=120, env=env_with())
    assert code == 0 and "bengkulu_caf\\udce9.csv" in output, output


# 11. Folders, other spreadsheets, protected workbooks, UTF-16 without a BOM, sheets

def test_a_folder_named_like_a_csv_is_not_a_file_and_an_xls_in_a_folder_is_reported(tmp_path):
    folder = tmp_path / "in"
    (folder / "x.csv").mkdir(parents=True)
    write_semicolon_cp1252(folder / "x.csv" / "bengkulu.csv", bengkulu_rows(*GOOD_ROWS))
    (folder / "lama.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    code, output, _ = run_measured([KBETL, "validate", folder], timeout=120, env=env_with())
    assert "2 berkas diperiksa, 1 bermasalah" in output, output
    refused = [line for line in output.splitlines() if line.startswith("DITOLAK")]
    assert len(refused) == 1 and refused[0].endswith("lama.xls"), output
    assert "'.xls' tidak didukung" in output, output


def test_a_password_protected_workbook_is_called_protected(tmp_path):
    # A protected workbook is an OLE2 compound file holding an "EncryptedPackage" stream.
    path = tmp_path / "rahasia.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1016) + "EncryptedPackage".encode("utf-16-le")
                     + bytes(2048))
    refused = stage_recap(path).refused
    assert one_sentence_naming(refused, "rahasia.xlsx") and "kata sandi" in refused, refused


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read(tmp_path, encoding):
    text = write_semicolon_cp1252(tmp_path / "cp.csv", bengkulu_rows(*GOOD_ROWS)).read_bytes().decode("cp1252")
    path = tmp_path / "bengkulu.csv"
    path.write_bytes(text.encode(encoding))
    item = stage_recap(path)
    assert item.refused is None, item.refused
    assert item.recap.accepted["region_code"].tolist() == ["1701", "1704", "1771"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


RECAP_SHEET = [[BENGKULU_TITLE], [], ["No", "Kabupaten/Kota", "Sasaran", "Jumlah"], [1, "Kaur", 1000, 980],
               [2, "Kota Bengkulu", 2000, 2488]]


def test_a_recap_on_the_second_sheet_is_read_and_the_sheet_named(tmp_path):
    path = workbook(tmp_path / "dua_lembar.xlsx", {"Petunjuk": [["Isi lembar Rekap"]], "Rekap": RECAP_SHEET})
    item = stage_recap(path)
    assert item.refused is None, item.refused
    assert item.recap.accepted["region_code"].tolist() == ["1704", "1771"]
    assert "lembar 'Rekap' dibaca; lembar lain: 'Petunjuk'" in validation_report(item)


def test_a_workbook_with_no_recap_on_any_sheet_names_the_sheets(tmp_path):
    path = workbook(tmp_path / "tanpa_rekap.xlsx", {"Petunjuk": [["Isi"]], "Catatan": [["Tidak ada"]]})
    refused = stage_recap(path).refused
    assert one_sentence_naming(refused, "tanpa_rekap.xlsx") and "'Petunjuk', 'Catatan'" in refused, refused


# 12. Years: one the reference data does not know, or an empty one, is a row error

def bantul(tmp_path, edit) -> Path:
    path = write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv")
    lines = path.read_text().splitlines()
    edit(lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_year_the_reference_data_does_not_know_rejects_that_row(tmp_path):
    path = bantul(tmp_path, lambda lines: lines.__setitem__(3, lines[3].replace("2022,", "2099,", 1)))
    item = stage_recap(path)
    assert item.refused is None, item.refused
    [recap] = item.recaps
    assert recap.quarantine[["source_row", "check_name"]].values.tolist() == [[4, "year"]]
    message = recap.quarantine["message"].iloc[0]
    assert "2099" in message and "2020" in message, message
    assert len(recap.accepted) == 16 and accounted(item)


def test_an_empty_year_is_a_row_error_not_a_refused_file(tmp_path):
    def edit(lines):
        lines[2] = lines[2].replace("2022,", "2021,", 1)
        lines[5] = lines[5].replace("2022,", ",", 1)

    item = stage_recap(bantul(tmp_path, edit))
    assert item.refused is None, item.refused
    assert sorted(r.campaign_year for r in item.recaps) == [2021, 2022]
    rejected = [(q.source_row, q.check_name) for r in item.recaps for q in r.quarantine.itertuples()]
    assert rejected == [(6, "year")], rejected
    assert sum(len(r.accepted) for r in item.recaps) == 16 and accounted(item)


# The principle: a line that cannot be split as the header is is an error naming it

def test_a_stray_quote_rejects_its_line_and_the_lines_after_it_are_read(tmp_path):
    rows = (GOOD_ROWS[0], 'Kaur;"1.000;100;50;500;100;200;20;10;980;98,00', GOOD_ROWS[2])
    item = stage_recap(write_semicolon_cp1252(tmp_path / "kutip.csv", bengkulu_rows(*rows)))
    assert item.refused is None, item.refused
    recap = item.recap
    assert recap.accepted["region_code"].tolist() == ["1701", "1771"]
    assert recap.quarantine[["source_row", "check_name"]].values.tolist() == [[6, "split_like_header"]]
    assert "baris 6: tanda kutip" in recap.quarantine["message"].iloc[0]
    assert accounted(item)


def test_a_row_written_with_another_delimiter_is_named(tmp_path):
    rows = (GOOD_ROWS[0], "2,Kaur,1000,100,50,500,100,200,20,10,980,\"98,00\"", GOOD_ROWS[2])
    body = bengkulu_rows(*rows).replace("2;2,Kaur", "2,Kaur")
    item = stage_recap(write_semicolon_cp1252(tmp_path / "koma.csv", body))
    recap = item.recap
    assert recap.quarantine[["source_row", "check_name"]].values.tolist() == [[6, "split_like_header"]]
    assert "pemisah ','" in recap.quarantine["message"].iloc[0]
    assert accounted(item)


def test_every_row_accounted_in_the_report_and_the_audit(tmp_path):
    bad = "Kapahiang;1.000;1;2;3;4;5;6;7;28;"
    path = write_semicolon_cp1252(tmp_path / "bengkulu.csv", bengkulu_rows(*GOOD_ROWS, bad) + ";;;;;;;;;;;\r\n")
    physical = path.read_bytes().count(b"\r\n")
    item = stage_recap(path)
    report = validation_report(item)
    assert f"seluruh berkas: {physical} baris = 3 diterima + 1 ditolak + 6 dilewati" in report, report
    db = tmp_path / "w.duckdb"
    code, output, _ = run_measured([KBETL, "ingest", path, "--db", db], timeout=300, env=env_with())
    assert "Traceback" not in output, output
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = con.execute("select rows_read, rows_accepted, rows_quarantined, rows_skipped "
                             "from audit.recap_submissions").fetchall()
    finally:
        con.close()
    assert counts == [(physical, 3, 1, 6)]


def test_one_bad_file_whatever_its_name_does_not_stop_the_others(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_semicolon_cp1252(folder / "a_good.csv", bengkulu_rows(*GOOD_ROWS))
    (folder / "b_\n\r\t.csv").write_bytes(b'"' * 5000)
    workbook(folder / "c_no_recap.xlsx", {"Petunjuk": [["Isi"]]})
    staged = [stage_recap(p) for p in sorted(folder.iterdir())]
    assert [s.refused is None for s in staged] == [True, False, False]
    assert all(UNEXPECTED not in s.refused and "\n" not in s.refused for s in staged[1:]), staged
