"""One Prefect server for a whole test run, on loopback.

Without PREFECT_API_URL every process that runs a flow starts Prefect's temporary server in its own
PREFECT_HOME (a SQLite database migrated from scratch: seconds of CPU each time, and most integration
tests start a `kbetl` command or two). The run's first process starts one `prefect server start`; pytest's
workers and every command they start inherit PREFECT_API_URL and use it. Tests about the temporary
server itself (a killed command's orphan, SIGTERM) run their commands with `without_test_server`.

Prefect's own migration runs once per test run, into a home of its own, before the run's server starts on a copy
of it; a test whose command is expected to start a Prefect server of its own gives it a copy too (migrated_home):
a server on a migrated database answers with about 5 CPU-s less than one that migrates a new one.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

URL_ENV = "PREFECT_API_URL"
MARK_ENV = "KBETL_TEST_PREFECT_SERVER"  # the URL of the run's server, so that workers know it is ours
DATABASE_ENV = "KBETL_TEST_PREFECT_DATABASE"  # the run's migrated Prefect database, copied by migrated_home
PREFECT = Path(sys.executable).parent / "prefect"
# sh -c SCRIPT sh TEMPLATE_HOME PREFECT PORT: the migration into the template's home, a copy of it for the server
MIGRATE_THEN_SERVE = ('PREFECT_HOME="$1" "$2" server database upgrade -y && cp "$1/prefect.db" "$PREFECT_HOME/" '
                      '&& exec "$2" server start --host 127.0.0.1 --port "$3"')


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestServer:
    """`prefect server start` in a home of its own, on a copy of the run's migrated database (built first, in
    the folder `template` of that home); stopped (and its home removed) by stop()."""

    def __init__(self):
        self.home = Path(tempfile.mkdtemp(prefix="kbetl-test-prefect-server-"))
        self.database = self.home / "template" / "prefect.db"
        self.api = f"http://127.0.0.1:{_free_port()}/api"
        port = self.api.rsplit(":", 1)[1].split("/")[0]
        env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
        env.pop(URL_ENV, None)
        self.log = open(self.home / "server.log", "wb")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(["sh", "-c", MIGRATE_THEN_SERVE, "sh", self.database.parent, PREFECT, port],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # the migration too, when a short run ends before it does
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def start() -> TestServer:
    """Starts the run's server and points this process (and all it starts) at it; does not wait."""
    server = TestServer()
    os.environ[URL_ENV] = os.environ[MARK_ENV] = server.api
    os.environ[DATABASE_ENV] = str(server.database)
    return server


def wait_until_healthy(timeout: float = 180) -> None:
    """Waits for the run's server (started by the run's first process) to answer."""
    api = os.environ.get(MARK_ENV)
    if not api or os.environ.get(URL_ENV) != api:
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{api}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the tests' Prefect server at {api} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


IN_PROCESS_TIERS = ("unit", "warehouse")


def without_test_server(env: dict | None = None) -> dict:
    """An environment for a command that must start Prefect's temporary server itself."""
    environment = dict(os.environ if env is None else env)
    environment.pop(URL_ENV, None)
    environment.pop(MARK_ENV, None)
    return environment


def migrated_home(home: Path) -> Path:
    """home, holding a copy of the run's migrated Prefect database, for a command expected to start a Prefect
    server of its own there (not for one expected to be refused before: `prefect.db` would be there anyway)."""
    database = os.environ.get(DATABASE_ENV)
    if not database or not Path(database).is_file():  # built before the run's server starts, so before any test
        raise RuntimeError(f"no migrated Prefect database of the test run (${DATABASE_ENV}={database!r})")
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, home / "prefect.db")
    return home


def wanted(args: list[str]) -> bool:
    """Whether the run needs the server: not when every path asked for is in an in-process tier (tests/unit,
    tests/warehouse: none runs a flow)."""
    paths = [a.split("::")[0] for a in args if not a.startswith("-") and Path(a.split("::")[0]).exists()]
    tiers = [Path(__file__).resolve().parents[1] / tier for tier in IN_PROCESS_TIERS]
    return not paths or any(not any(Path(p).resolve().is_relative_to(t) for t in tiers) for p in paths)
