"""The one run skeleton every path uses: what it records, rebuilds and publishes, and what it does not
when the work fails."""

import duckdb
import pytest

from kbetl.warehouse.run import warehouse_run


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
