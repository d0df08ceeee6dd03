"""Issue 13, case 8 and the held kills: a run killed at any step leaves what it committed, and the next
run cleans what it left (its half-built published file, its 'running' record, its Prefect server)."""

import logging
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers.prefect_server import migrated_home, without_test_server
from tests.helpers.warehouse import ingest, marts_snapshot, query
from tests.hostile.runs_helpers import BENGKULU, KBETL, SAMPLE, child, kill_group, prefect_servers, wait_for


def test_a_run_killed_while_publishing_is_cleaned_up_and_marked_dead_by_the_next_run(tmp_path, caplog):
    from kbetl.warehouse.run import warehouse_run

    db, published = tmp_path / "w.duckdb", tmp_path / "kbetl.duckdb"
    process = child(f"""
        import time
        from pathlib import Path
        import kbetl.warehouse.publish as publish
        from kbetl.warehouse.run import warehouse_run

        def stop_mid_copy(text):  # called while the new file is attached and half written
            print("publishing", flush=True)
            time.sleep(120)

        publish.sql_literal = stop_mid_copy
        with warehouse_run(Path({str(db)!r}), "test", rebuild="all", publish_to=Path({str(published)!r})) as run:
            print("run", run.id, flush=True)
    """)
    try:
        dead_id = wait_for(process, "run ")[-1].split()[1]
        wait_for(process, "publishing")
    finally:
        kill_group(process)
    building = tmp_path / f".kbetl.duckdb.{dead_id}.building"
    assert building.exists(), "killed while the new published file was being built"

    with caplog.at_level(logging.WARNING, logger="kbetl"):
        with warehouse_run(db, "test", publish_to=published) as run:
            pass
    assert run.published == published and published.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".kbetl.duckdb")) == []
    status, finished = query(db, "select status, finished_at is not null from audit.runs where run_id = ?",
                             [dead_id])[0]
    assert (status, finished) == ("dead", True)
    said = [r.getMessage() for r in caplog.records if dead_id in r.getMessage()]
    assert len(said) == 1 and "dead" in said[0] and building.name in said[0], said
    assert query(db, "select pid, host is not null from audit.runs where run_id = ?", [run.id]) == [
        (os.getpid(), True)]


def test_a_run_killed_while_loading_keeps_what_it_committed_and_the_next_run_finishes(tmp_path):
    """Held before issue 13; the dead run is now marked so."""
    db, clean = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    paths = [str(p) for p in BENGKULU]
    process = child(f"""
        import time
        from pathlib import Path
        from kbetl.warehouse.load_recaps import load_staged
        from kbetl.sources.recaps.stage import stage_recap
        from kbetl.warehouse.run import warehouse_run

        staged = [stage_recap(Path(p)) for p in {paths!r}]
        with warehouse_run(Path({str(db)!r}), "test") as run:
            load_staged(run, staged[:1])
            print("run", run.id, flush=True)
            time.sleep(120)
    """)
    try:
        dead_id = wait_for(process, "run ")[-1].split()[1]
    finally:
        kill_group(process)
    resumed = ingest(db, *BENGKULU)
    assert [r.status for r in resumed.results] == ["unchanged", "loaded"]
    ingest(clean, *BENGKULU)
    assert marts_snapshot(db) == marts_snapshot(clean)
    assert query(db, "select status from audit.runs where run_id = ?", [dead_id]) == [("dead",)]


def _server_of(process: subprocess.Popen, timeout: float = 180) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"command ended first: {process.communicate()}")
        started = [pid for pid, (ppid, _) in prefect_servers().items() if ppid == process.pid]
        if started:
            return started[0]
        time.sleep(0.1)
    raise AssertionError("no temporary Prefect server started")


def _gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid not in prefect_servers():
            return True
        time.sleep(0.2)
    return False


def _ingest_command(home: Path, db: Path, *paths: Path) -> subprocess.Popen:
    """In the Prefect home of the test, whose temporary server these tests are about."""
    return subprocess.Popen([KBETL, "ingest", *map(str, paths), "--db", str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**without_test_server(), "PREFECT_HOME": str(home)})


@pytest.mark.prefect
def test_the_temporary_prefect_server_of_a_killed_command_is_stopped_by_the_next_command(tmp_path, tmp_path_factory):
    db, home = tmp_path / "w.duckdb", migrated_home(tmp_path_factory)
    killed = _ingest_command(home, db, SAMPLE)
    following = None
    try:
        server = _server_of(killed)
        os.kill(killed.pid, signal.SIGKILL)  # the command alone, as `kill -9 PID` does
        killed.wait(timeout=30)
        time.sleep(1)
        assert server in prefect_servers(), "the server outlived its command (an orphan)"
        following = _ingest_command(home, db, BENGKULU[0])
        out, err = following.communicate(timeout=300)
        assert following.returncode == 0, out + err
        assert _gone(server), "the next command stopped the orphan"
        assert f"temporary Prefect server (pid {server})" in out + err
    finally:
        kill_group(killed)
        if following:
            kill_group(following)
    assert not [pid for pid, (_, owner) in prefect_servers().items() if owner in (str(killed.pid),)]


@pytest.mark.prefect
def test_a_command_stopped_with_sigterm_stops_its_temporary_prefect_server(tmp_path, tmp_path_factory):
    db, home = tmp_path / "w.duckdb", migrated_home(tmp_path_factory)
    process = _ingest_command(home, db, SAMPLE)
    try:
        server = _server_of(process)
        time.sleep(2)  # into the run
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        assert _gone(server), "SIGTERM left the temporary Prefect server running"
        assert process.returncode != 0
    finally:
        kill_group(process)
