"""The one run skeleton every path uses: what it records, rebuilds and publishes, and what it does not
when the work fails."""

from contextlib import contextmanager

import duckdb
import pytest

from kbetl.warehouse import run as run_module
from kbetl.warehouse.database import WarehouseError
from kbetl.warehouse.run import WRITER_LIMIT_ENV, warehouse_run


def runs(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select command, status from audit.runs order by started_at").fetchall()
    finally:
        con.close()


def test_a_run_records_itself_writes_the_reference_and_publishes(tmp_path):
    db, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    with warehouse_run(db, "test", {"why": "skeleton"}, rebuild="all", publish_to=published) as run:
        assert run.con.execute("select status from audit.runs where run_id = ?", [run.id]).fetchall() == [("running",)]
    assert run.status == "succeeded" and run.published == published and published.exists()
    assert runs(db) == [("test", "succeeded")]
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("select count(*) from ref.methods").fetchall() == [(7,)]
        assert con.execute("select count(*) from marts.achievement").fetchall() == [(0,)]
    finally:
        con.close()


def test_work_that_fails_marks_the_run_failed_and_publishes_nothing(tmp_path):
    db, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    with pytest.raises(RuntimeError, match="disk full"):
        with warehouse_run(db, "test", publish_to=published):
            raise RuntimeError("disk full")
    assert runs(db) == [("test", "failed")]
    assert not published.exists()


def test_a_failed_part_fails_the_run_keeps_what_loaded_and_publishes_nothing(tmp_path):
    db, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    with warehouse_run(db, "test", publish_to=published) as run:
        run.con.execute("insert into audit.refused_files values ('kept.csv', null, 'test', ?, now())", [run.id])
        run.failed.append("17")
    assert run.status == "failed" and run.published is None and not published.exists()
    assert runs(db) == [("test", "failed")]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select file_name from audit.refused_files").fetchall() == [("kept.csv",)]
    finally:
        con.close()


def test_rebuild_is_touched_all_or_none(tmp_path):
    with pytest.raises(ValueError, match="rebuild is one of"):
        with warehouse_run(tmp_path / "w.duckdb", "test", rebuild="some"):
            pass


def test_paths_with_an_apostrophe_publish_and_publish_again(tmp_path):
    """Paths reach DuckDB as bound parameters, never pasted into the SQL."""
    folder = tmp_path / "it's" / "o'brien"
    db, published = folder / "w.duckdb", folder / "kbetl.duckdb"
    for _ in range(2):
        with warehouse_run(db, "test", publish_to=published) as run:
            pass
        assert run.published == published
    assert runs(db) == [("test", "succeeded"), ("test", "succeeded")]
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("select count(*) from ref.methods").fetchall() == [(7,)]
    finally:
        con.close()


def test_a_writer_limit_set_without_a_guard_to_hold_it_stops_the_run_before_it_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "_writer_guard", None)
    monkeypatch.setenv(WRITER_LIMIT_ENV, "kbetl-warehouse-writer")
    db = tmp_path / "w.duckdb"
    with pytest.raises(WarehouseError, match="KBETL_WRITER_LIMIT diisi .* tidak dapat memegang batas konkurensi"):
        with warehouse_run(db, "test"):
            pass
    assert not db.exists()


def test_with_a_writer_limit_every_run_holds_its_slot_from_before_it_opens_the_file_to_after_it_closes_it(
        tmp_path, monkeypatch):
    held = []

    @contextmanager
    def guard(name):
        held.append((name, "enter", (tmp_path / "w.duckdb").exists()))
        try:
            yield
        finally:
            held.append((name, "exit", set(run_module._ACTIVE)))  # the run has closed its connection

    monkeypatch.setattr(run_module, "_writer_guard", guard)
    monkeypatch.setenv(WRITER_LIMIT_ENV, "writer")
    with warehouse_run(tmp_path / "w.duckdb", "test"):
        pass
    with pytest.raises(RuntimeError, match="disk full"):
        with warehouse_run(tmp_path / "w.duckdb", "test"):
            raise RuntimeError("disk full")
    assert held == [("writer", "enter", False), ("writer", "exit", set()), ("writer", "enter", True),
                    ("writer", "exit", set())]
    assert runs(tmp_path / "w.duckdb") == [("test", "succeeded"), ("test", "failed")]


def test_without_a_writer_limit_no_guard_is_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "_writer_guard", None)
    monkeypatch.delenv(WRITER_LIMIT_ENV, raising=False)
    with warehouse_run(tmp_path / "w.duckdb", "test") as run:
        pass
    assert run.status == "succeeded"
