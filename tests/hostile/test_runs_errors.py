"""Issue 13, case 9: a failure the user can cause ends in one sentence naming the file and what to do,
exit code 1, and audit.runs says what was committed."""

import subprocess

import pytest

from tests.helpers.warehouse import query
from tests.hostile.runs_helpers import BENGKULU, KBETL, child, kill_group, read_only_dir, wait_for


def _kbetl(*args) -> subprocess.CompletedProcess:
    return subprocess.run([KBETL, *map(str, args)], capture_output=True, text=True, timeout=300,
                          start_new_session=True)


def _one_sentence(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1]


def _holder(db):
    process = child(f"""
        import duckdb, time
        con = duckdb.connect({str(db)!r})
        print("holding", flush=True)
        time.sleep(120)
    """)
    wait_for(process, "holding")
    return process


def test_a_working_database_held_read_write_stops_ingest_with_the_locked_sentence(tmp_path):
    from kbetl.warehouse.database import connect

    db = tmp_path / "w.duckdb"
    connect(db).close()
    holder = _holder(db)
    try:
        result = _kbetl("ingest", BENGKULU[0], "--db", db)
    finally:
        kill_group(holder)
    assert result.returncode == 1
    assert _one_sentence(result) == (
        f"Error: {db} sedang dipegang proses lain (PID {holder.pid}). Tutup notebook, alat BI atau proses kbetl "
        "yang membukanya, atau pakai berkas lain dengan --db / KBETL_DB.")


def test_a_run_against_a_held_database_raises_the_locked_sentence(tmp_path):
    """The run is the only one to open the working file (staging reads loaded hashes through its connection)."""
    from kbetl.runs import ingest_recaps
    from kbetl.warehouse.database import WarehouseLocked, connect

    db = tmp_path / "w.duckdb"
    connect(db).close()
    holder = _holder(db)
    try:
        with pytest.raises(WarehouseLocked, match=rf"{db} sedang dipegang proses lain \(PID {holder.pid}\)"):
            ingest_recaps(db, [BENGKULU[0]])
    finally:
        kill_group(holder)


def test_a_working_database_in_a_read_only_folder_is_one_sentence(tmp_path):
    with read_only_dir(tmp_path / "ro") as folder:
        result = _kbetl("ingest", BENGKULU[0], "--db", folder / "w.duckdb")
    assert result.returncode == 1
    sentence = _one_sentence(result)
    assert str(folder / "w.duckdb") in sentence and "--db" in sentence, sentence


def test_a_failed_publish_records_what_was_committed(tmp_path):
    from kbetl.sources.recaps.stage import stage_recap
    from kbetl.warehouse.database import WarehouseError
    from kbetl.warehouse.load_recaps import load_staged
    from kbetl.warehouse.run import warehouse_run

    db = tmp_path / "w.duckdb"
    with read_only_dir(tmp_path / "ro") as folder:
        target = folder / "kbetl.duckdb"
        with pytest.raises(WarehouseError) as raised:
            with warehouse_run(db, "test", publish_to=target) as run:
                load_staged(run, [stage_recap(BENGKULU[0])])
    message = str(raised.value)
    assert str(target) in message and "--publish-to" in message and "\n" not in message, message
    status, loaded, error = query(db, "select status, files_loaded, error from audit.runs")[0]
    assert (status, loaded) == ("failed", 1)
    assert str(target) in error
    assert query(db, "select count(*) from audit.recap_submissions") == [(1,)]


@pytest.mark.prefect
def test_ingest_with_a_read_only_publish_folder_ends_in_one_sentence(tmp_path):
    db = tmp_path / "w.duckdb"
    with read_only_dir(tmp_path / "ro") as folder:
        result = _kbetl("ingest", BENGKULU[0], "--db", db, "--publish-to", folder / "kbetl.duckdb")
    assert result.returncode == 1, result.stdout + result.stderr
    last = [line for line in result.stderr.splitlines() if line.strip()][-1]
    assert last.startswith("Error: gagal menerbitkan") and str(folder / "kbetl.duckdb") in last, last
    assert query(db, "select status, files_loaded from audit.runs") == [("failed", 1)]
