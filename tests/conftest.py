"""Fixtures for every test, and a Prefect home of the tests' own."""

import importlib
import os
import sys
import tempfile
from pathlib import Path

# Tests never share (or lock) the project's Prefect database; set before anything imports Prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="kbetl-prefect-")

import pytest  # noqa: E402

from tests.helpers import prefect_server  # noqa: E402

# The run's first process starts one Prefect server for every worker and command (before Prefect is imported
# anywhere: its settings are read at import); workers inherit its address.
_SERVER = prefect_server.start() if "PYTEST_XDIST_WORKER" not in os.environ and prefect_server.wanted(
    sys.argv[1:]) else None

import flows  # noqa: E402, F401  (kbetl's Prefect settings and exit handler, before Prefect is imported)

# Prefect sets up its console logging when first imported, on the sys.stdout of that moment: import it here,
# on the session's stream, not inside a test's CliRunner call (whose stream is closed when the call ends and
# would take every later flow's log line down with "I/O operation on closed file").
importlib.import_module("prefect.main")


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "warehouse.duckdb"


def pytest_unconfigure(config):
    if _SERVER is not None:
        _SERVER.stop()


@pytest.fixture(scope="session", autouse=True)
def prefect_server_ready():
    prefect_server.wait_until_healthy()


@pytest.fixture(scope="session", autouse=True)
def stop_prefect_temporary_server():
    """Prefect stops its temporary server at exit (atexit) and logs that to the stream its console
    handler was set up with: pytest's capture file, closed by then ("--- Logging error ---"). Stop it at
    the session's end instead, while capture is open, as prefect_test_harness does: queued logs and
    events sent first, then the server stopped (the exit handler then has nothing left to stop)."""
    yield
    if "prefect.server.api.server" not in sys.modules:
        return  # no flow ran
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.server.api.server import SubprocessASGIServer

    APILogWorker.drain_all()
    EventsWorker.drain_all()
    for server in list(SubprocessASGIServer._instances.values()):
        server.stop()
