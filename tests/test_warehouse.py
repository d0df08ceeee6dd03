"""Loads into a real DuckDB file and reads the marts back."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kbetl.sources.recaps import load
from kbetl.warehouse.transform import discover_models

from conftest import SAMPLE_DIR, ingest, marts_snapshot, query
from recap_files import bengkulu_rows, write_semicolon_cp1252

BENGKULU_2022 = SAMPLE_DIR / "2022" / "17_bengkulu.csv"
KALSEL_2022 = next((SAMPLE_DIR / "2022").glob("63_*"))


def raw_snapshot(db):
    return {table: query(db, f"select * from {table} order by all")
            for table in ("raw.landed_files", "staging.recap_rows", "audit.recap_submissions", "audit.quarantine",
                          "audit.findings")}


def test_same_file_twice_leaves_every_mart_identical(db):
    first = ingest(db, BENGKULU_2022, KALSEL_2022)
    before = marts_snapshot(db), raw_snapshot(db)
    second = ingest(db, BENGKULU_2022, KALSEL_2022)
    assert [r.status for r in first.results] == ["loaded", "loaded"]
    assert [r.status for r in second.results] == ["unchanged", "unchanged"]
    assert (marts_snapshot(db), raw_snapshot(db)) == before
    assert sum(len(rows) for rows in before[0].values()) > 0


def test_file_refused_whole_leaves_the_warehouse_unchanged(db, tmp_path):
    ingest(db, BENGKULU_2022)
    before = marts_snapshot(db), raw_snapshot(db)
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"PK\x03\x04 damaged")
    summary = ingest(db, broken)
    assert summary.status == "succeeded_with_refused_files" and summary.results == []
    assert (marts_snapshot(db), raw_snapshot(db)) == before
    assert query(db, "select file_name from audit.refused_files") == [("rusak.xlsx",)]


def test_failure_while_loading_a_file_leaves_nothing_of_it(db, monkeypatch):
    ingest(db, BENGKULU_2022)
    before = raw_snapshot(db)
    real_insert = load._insert

    def insert_then_fail(con, table, frame, columns):
        real_insert(con, table, frame, columns)
        if table == "audit.findings":
            raise OSError("disk full")

    monkeypatch.setattr(load, "_insert", insert_then_fail)
    with pytest.raises(OSError, match="disk full"):
        ingest(db, KALSEL_2022)
    assert raw_snapshot(db) == before
    assert query(db, "select status from audit.runs order by started_at") == [("succeeded",), ("failed",)]


def test_corrected_file_supersedes_the_earlier_one_which_stays_traceable(db, tmp_path):
    rows = ("Bengkulu Selatan;1.500;;;;;;;;2.000;", "Kota Bengkulu;2.000;;;;;;;;2.488;")
    first = write_semicolon_cp1252(tmp_path / "v1.csv", bengkulu_rows(*rows, total=";3.500;;;;;;;;4.488;"))
    corrected = write_semicolon_cp1252(
        tmp_path / "v2.csv",
        bengkulu_rows("Bengkulu Selatan;1.500;;;;;;;;2.282;", rows[1], total=";3.500;;;;;;;;4.770;"))
    ingest(db, first)
    ingest(db, corrected)
    ingest(db, first)  # the old version again: already landed, changes nothing
    assert query(db, "select achieved from marts.achievement where campaign_year = 2022 and region_code = '1701'") \
        == [(2282,)]
    assert query(db, "select file_name, version, is_current from marts.recap_files order by version") == [
        ("v1.csv", 1, False), ("v2.csv", 2, True)]
    assert query(db, "select count(*) from staging.recap_rows where region_code = '1701'") == [(2,)]


def test_province_figures_come_from_its_own_row_then_total_row_then_sum_of_regencies(db, tmp_path):
    no_total = write_semicolon_cp1252(tmp_path / "bengkulu.csv", bengkulu_rows(
        "Bengkulu Selatan;1.000;;;;;;;;1.100;", "Kota Bengkulu;1.000;;;;;;;;900;"))
    ingest(db, no_total)
    province = "select target, achieved, achievement_pct, figures_from from marts.achievement where region_code = '17'"
    assert query(db, province) == [(2000, 2000, 100, "sum_of_regencies")]

    national = tmp_path / "nasional.csv"
    national.write_text("REKAPITULASI NASIONAL TAHUN 2022\nNo;Provinsi;Target;Capaian;%\n"
                        "1;Bengkulu;2.500;2.100;84,00\n")
    ingest(db, national)
    assert query(db, province) == [(2500, 2100, 84, "reported")]
    assert query(db, "select target, achieved, figures_from from marts.achievement where region_code = '00'") == [
        (2500, 2100, "sum_of_provinces")]


def test_ties_share_a_rank_and_position_breaks_them_by_achieved(db, tmp_path):
    path = tmp_path / "nasional.csv"
    path.write_text("REKAPITULASI NASIONAL TAHUN 2024\nNo;Provinsi;Target;Capaian\n"
                    "1;Aceh;1.000;1.500\n2;Bali;2.000;3.000\n3;Jambi;100;200\n4;Riau;1.000;1.200\n5;Papua;100;\n")
    ingest(db, path)
    assert query(db, "select region_name, rank, position from marts.ranking where ranking = 'national' "
                     "order by position") == [("Jambi", 1, 1), ("Bali", 2, 2), ("Aceh", 2, 3), ("Riau", 4, 4)]


def test_every_mart_table_and_column_has_a_comment(sample_warehouse):
    db, _ = sample_warehouse
    marts = {m.name for m in discover_models().values() if m.schema == "marts"}
    tables = dict(query(db, "select table_name, comment from duckdb_tables() where schema_name = 'marts'"))
    assert set(tables) == marts and all(tables.values())
    columns = query(db, "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'")
    assert columns and [c for c in columns if not c[2]] == []


def test_models_declare_their_grain_in_the_first_comment_line():
    for model in discover_models().values():
        assert model.sql.startswith("-- grain: one row per"), model.table


def test_warehouse_held_by_another_process_stops_with_a_clear_message(db, tmp_path):
    from kbetl.warehouse.database import WarehouseLocked, connect

    connect(db).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db)!r})
        print("holding", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseLocked, match=rf"{db} is held by another process \(PID {holder.pid}\)"):
            connect(db)
    finally:
        holder.kill()
        holder.wait()


def test_analyst_opens_the_warehouse_with_the_duckdb_1_x_command_line(db):
    ingest(db, BENGKULU_2022)
    cli = Path(sys.executable).parent / "duckdb"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1."), version
    result = subprocess.run(
        [cli, "-readonly", "-csv", str(db), "-c",
         "select region_code, achievement_pct from marts.ranking where ranking = 'national' order by rank"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["region_code,achievement_pct", "17,144.40"]


def test_folder_ingest_finds_csv_and_xlsx(tmp_path, db):
    folder = tmp_path / "kiriman"
    folder.mkdir()
    shutil.copy(BENGKULU_2022, folder)
    shutil.copy(KALSEL_2022, folder)
    (folder / "catatan.txt").write_text("bukan rekap")
    assert [r.file_name for r in ingest(db, folder).results] == [BENGKULU_2022.name, KALSEL_2022.name]


def test_files_already_in_the_warehouse_are_not_extracted_again(db, tmp_path):
    from kbetl.sources.recaps.stage import loaded_hashes, stage_recap

    assert loaded_hashes(db) == frozenset()
    ingest(db, BENGKULU_2022)
    changed = tmp_path / "17_bengkulu.csv"
    changed.write_bytes(BENGKULU_2022.read_bytes() + b"\r\n")
    known = loaded_hashes(db)
    assert stage_recap(BENGKULU_2022, loaded=known).unchanged
    assert stage_recap(changed, loaded=known).recap is not None
