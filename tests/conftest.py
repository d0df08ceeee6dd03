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


def pytest_configure(config):
    """In every process that runs tests (not in pytest-xdist's controller, which only hands them out): kbetl's
    Prefect settings and exit handler (importing flows), then Prefect itself. Prefect sets up its console
    logging when first imported, on the sys.stdout of that moment: import it here, on the session's stream,
    not inside a test's CliRunner call (whose stream is closed when the call ends and would take every later
    flow's log line down with "I/O operation on closed file")."""
    if not prefect_server.wanted(config.args):  # the in-process tiers run no flow: no Prefect to set up
        return
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        importlib.import_module("flows")
        importlib.import_module("prefect.main")


# The files that take longest (seconds on an idle 2-core machine with three workers, `--durations=0` of
# 5 December 2026, afternoon), longest first. make test hands out files in collection order (--no-loadscope-reorder;
# pytest-xdist would otherwise start the files with the most tests first, and these few-test files last): started
# first, each runs beside the many short files instead of leaving one worker alone with it at the end of the run.
LONGEST_FIRST = {"integration/test_scale_out.py": 217, "devtools/test_bench.py": 77,
                 "hostile/test_recap_reading.py": 73, "hostile/test_report_api_hostile.py": 73,
                 "hostile/test_marts_invariant.py": 68, "integration/test_analyst_cookbook.py": 45,
                 "integration/test_backfill.py": 35, "hostile/test_runs_crash.py": 33,
                 "hostile/test_recap_lines_fuzz.py": 30, "integration/test_nightly_deployment.py": 30,
                 "hostile/test_recap_files.py": 30, "integration/test_flows.py": 29}


def pytest_collection_modifyitems(items):
    tests = Path(__file__).parent

    def seconds(item) -> int:
        return LONGEST_FIRST.get(item.path.relative_to(tests).as_posix(), 0) if item.path.is_relative_to(tests) else 0
    items.sort(key=lambda item: -seconds(item))  # stable: the other files, and each file's tests, keep their order


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "warehouse.duckdb"


def pytest_unconfigure(config):
    if _SERVER is not None:
        _SERVER.stop()


@pytest.fixture(scope="session", autouse=True)
def prefect_server_ready(tmp_path_factory):
    prefect_server.wait_until_healthy(tmp_path_factory)


@pytest.fixture(scope="session", autouse=True)
def send_prefect_logs_and_stop_its_temporary_server():
    """At the session's end, while capture is open and the tests' server still runs (as prefect_test_harness
    does): queued logs and events sent, then the temporary server stopped if one was started. Left to
    Prefect's exit handlers, they would meet a stopped server ("--- Error logging to API ---") or log to
    pytest's capture file, closed by then ("--- Logging error ---")."""
    yield
    if "prefect.logging.handlers" not in sys.modules:
        return  # no flow ran
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all()
    EventsWorker.drain_all()
    if "prefect.server.api.server" in sys.modules:
        from prefect.server.api.server import SubprocessASGIServer

        for server in list(SubprocessASGIServer._instances.values()):
            server.stop()
