"""A warehouse held by another process stops a run with a clear message."""

import subprocess
import sys
import textwrap

import pytest


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
        with pytest.raises(WarehouseLocked, match=rf"{db} sedang dipegang proses lain \(PID {holder.pid}\)"):
            connect(db)
    finally:
        holder.kill()
        holder.wait()
