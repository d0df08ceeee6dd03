"""Held cases of issue 13: two runs at once (the second stops with the locked sentence), and readers of the
published file while a run publishes."""

import subprocess

import pytest

from tests.helpers.warehouse import ingest, publish_recaps, query
from tests.hostile.runs_helpers import BENGKULU, KBETL, child, kill_group, wait_for


def test_a_second_run_while_one_runs_stops_with_the_locked_sentence(tmp_path):
    from kbetl.warehouse.database import WarehouseLocked
    from kbetl.warehouse.run import warehouse_run

    db = tmp_path / "w.duckdb"
    first = child(f"""
        import time
        from pathlib import Path
        from kbetl.warehouse.run import warehouse_run
        with warehouse_run(Path({str(db)!r}), "first") as run:
            print("running", flush=True)
            time.sleep(120)
    """)
    try:
        wait_for(first, "running")
        with pytest.raises(WarehouseLocked, match=rf"{db} sedang dipegang proses lain \(PID {first.pid}\)"):
            with warehouse_run(db, "second"):
                pass
        result = subprocess.run([KBETL, "ingest", str(BENGKULU[0]), "--db", str(db)], capture_output=True,
                                text=True, timeout=300, start_new_session=True)
    finally:
        kill_group(first)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("atau pakai berkas lain dengan --db / KBETL_DB.")


def test_a_reader_holding_the_published_file_keeps_reading_and_the_next_connect_sees_new_data(tmp_path):
    from kbetl.warehouse.publish import published_path

    db = tmp_path / "w.duckdb"
    publish_recaps(db, BENGKULU[0])
    published = published_path(db)
    reader = subprocess.Popen(
        [KBETL.parent / "python", "-c", f"""
import duckdb, sys
con = duckdb.connect({str(published)!r}, read_only=True)
count = "select count(*) from marts.recap_files"
print(con.execute(count).fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute(count).fetchone()[0], flush=True)
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        before = int(reader.stdout.readline())
        ingest(db, BENGKULU[1])  # no publish yet
        summary = publish_recaps(db)  # a run that publishes
        assert summary.published == published
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        kill_group(reader)
    assert [int(n) for n in out.split()] == [before], err  # the reader's file, unchanged
    assert query(published, "select count(*) from marts.recap_files") == [(before + 1,)]  # a new connect
