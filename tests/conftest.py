"""Fixtures for every test, and a Prefect home of the tests' own."""

import importlib
import os
import sys
import tempfile
from pathlib import Path

# Tests never share (or lock) the project's Prefect database; set before anything imports Prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="kbetl-prefect-")
# The run's workers outnumber the cores and each runs DuckDB: one thread per connection (and per command the tests
# start) spends less CPU than threads waiting on each other (the warehouse tier, idle: about 5% less CPU).
os.environ.setdefault("KBETL_DUCKDB_THREADS", "1")

import pytest  # noqa: E402

from tests.helpers import prefect_server  # noqa: E402

if not os.environ.get(prefect_server.URL_ENV, "").startswith("https:"):  # an outside server over TLS: its CAs stay
    os.environ.setdefault(prefect_server.CA_FILE_ENV,
                          prefect_server.one_ca_certificate(Path(os.environ["PREFECT_HOME"])))

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


# The order in which make test hands out the files that take longest (--no-loadscope-reorder: pytest-xdist would
# otherwise start the files with the most tests first, and these few-test files last). They start first, so that
# none is left alone on a worker at the end of the run. Those that mostly wait (on a cluster's heartbeats, a
# server, a deadline, a browser: under half a core in `--durations=0` against CPU per file, idle, 5 December 2026)
# alternate with those that compute, so that waiting files do not run side by side and leave a core idle. The
# other files follow in collection order.
FIRST = ["integration/test_scale_out.py",  # waits
         "hostile/test_marts_invariant.py", "integration/test_backfill.py",
         "hostile/test_recap_reading.py",  # waits
         "hostile/test_runs_crash.py", "integration/test_analyst_cookbook.py",
         "hostile/test_report_api_hostile.py",  # waits
         "warehouse/test_quality_audits.py", "integration/test_findings_travel.py",
         "devtools/test_bench.py",  # waits
         "hostile/test_recap_lines_fuzz.py", "integration/test_one_path.py",
         "integration/test_flows.py",  # waits
         "hostile/test_recap_fuzz.py", "hostile/test_commands_options.py",
         "integration/test_nightly_deployment.py",  # waits
         "hostile/test_recap_files.py", "hostile/test_runs_errors.py",
         "integration/test_campaign_report_browser.py",  # waits
         "devtools/test_facility_generator.py",
         "integration/test_report_api_pull.py"]  # waits


def pytest_collection_modifyitems(items):
    tests = Path(__file__).parent

    def position(item) -> int:
        name = item.path.relative_to(tests).as_posix() if item.path.is_relative_to(tests) else ""
        return FIRST.index(name) if name in FIRST else len(FIRST)
    items.sort(key=position)  # stable: the other files, and each file's tests, keep their order


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
