"""Recap files loaded into a real DuckDB file: idempotent, all or nothing, corrections superseding."""

import shutil

import pytest

import kbetl.sources.recaps.stage as stage
from kbetl import runs
from kbetl.warehouse import load_recaps as load
from kbetl.warehouse.database import WriteFailed, connect
from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252
from tests.helpers.warehouse import SAMPLE_DIR, ingest, marts_snapshot, query

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

    def insert_then_fail(con, table, *rows):
        real_insert(con, table, *rows)
        if table == "audit.findings":
            raise OSError("disk full")

    monkeypatch.setattr(load, "_insert", insert_then_fail)
    with pytest.raises(WriteFailed, match=r"warehouse.duckdb: penulisan gagal di tengah proses \(disk full\)"):
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


def test_folder_ingest_finds_csv_and_xlsx(tmp_path, db):
    folder = tmp_path / "kiriman"
    folder.mkdir()
    shutil.copy(BENGKULU_2022, folder)
    shutil.copy(KALSEL_2022, folder)
    (folder / "catatan.txt").write_text("bukan rekap")
    assert [r.file_name for r in ingest(db, folder).results] == [BENGKULU_2022.name, KALSEL_2022.name]


def hashes_loaded(db) -> frozenset[str]:
    con = connect(db)
    try:
        return load.loaded_hashes(con)
    finally:
        con.close()


def test_files_already_in_the_warehouse_are_not_extracted_again(db, tmp_path):
    from kbetl.sources.recaps.stage import stage_recap

    assert hashes_loaded(db) == frozenset()
    ingest(db, BENGKULU_2022)
    changed = tmp_path / "17_bengkulu.csv"
    changed.write_bytes(BENGKULU_2022.read_bytes() + b"\r\n")
    known = hashes_loaded(db)
    assert stage_recap(BENGKULU_2022, loaded=known).unchanged
    assert stage_recap(changed, loaded=known).recap is not None


def test_ingest_reads_each_file_only_after_the_one_before_is_loaded(db, tmp_path, monkeypatch):
    """Memory does not grow with the number of files: none is read ahead of the load (issue 20, case 5)."""
    folder = tmp_path / "recaps"
    folder.mkdir()
    for name in ("a_bengkulu.csv", "b_kalsel.csv"):
        shutil.copy(BENGKULU_2022 if name.startswith("a") else KALSEL_2022, folder / name)
    events = []
    real_stage, real_load = stage.stage_recap, load.load_recap
    monkeypatch.setattr(runs, "stage_recap", lambda path, *a, **k: events.append(("read", path.name))
                        or real_stage(path, *a, **k))
    monkeypatch.setattr(load, "load_recap", lambda con, recaps, path, *a: events.append(("load", path.name))
                        or real_load(con, recaps, path, *a))
    runs.ingest_recaps(db, [folder])
    assert events == [("read", "a_bengkulu.csv"), ("load", "a_bengkulu.csv"),
                      ("read", "b_kalsel.csv"), ("load", "b_kalsel.csv")]
