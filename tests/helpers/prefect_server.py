"""One Prefect server for a whole test run, on loopback.

Without PREFECT_API_URL every process that runs a flow starts Prefect's temporary server in its own
PREFECT_HOME (a SQLite database migrated from scratch: seconds of CPU each time, and most integration
tests start a `kbetl` command or two). The run's first process starts one `prefect server start`; pytest's
workers and every command they start inherit PREFECT_API_URL and use it. Tests about the temporary
server itself (a killed command's orphan, SIGTERM) run their commands with `without_test_server`. A test whose
command starts a Prefect server of its own (those, the nightly script's) gives it a home holding a copy of a
database Prefect migrated once per run (migrated_home): that server answers with about 5 CPU-s less. That
database is the run's server's, copied when it first answers, before any flow runs on it (its start migrated
it); a run without that server migrates one with `prefect server database upgrade`.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import pytest
import requests

from tests.helpers.once import built_once

URL_ENV = "PREFECT_API_URL"
MARK_ENV = "KBETL_TEST_PREFECT_SERVER"  # the URL of the run's server, so that workers know it is ours
HOME_ENV = "KBETL_TEST_PREFECT_SERVER_HOME"
MIGRATED = "prefect-home"  # the built_once name of the migrated database
PREFECT = Path(sys.executable).parent / "prefect"
# The install (the Makefile's .venv/.installed) leaves a database Prefect migrated in the environment: the run's
# server starts from a copy of it (idle: it answered after 5.2 s and 5.1 CPU-s, against 10.9 s and 9.8 CPU-s
# migrating a new one, while every worker waits for it). Prefect migrates a copy left behind by an upgrade.
MIGRATED_AT_INSTALL = Path(sys.executable).parents[1] / "prefect-migrated" / "prefect.db"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The server's services no test run on it needs: no test here schedules, pauses, cancels or automates a run, has
# a worker, or reads events (those that do start servers of their own: the scale-out cluster, the nightly
# script's). Flow runs, task runs (the task run recorder) and logs are recorded as ever.
UNUSED_SERVICES = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "CANCELLATION_CLEANUP", "PAUSE_EXPIRATIONS",
                   "CLEANUP_RECONCILER", "TRIGGERS", "EVENT_PERSISTER")


class TestServer:
    """`prefect server start` without the services named unused, in a home of its own (removed by stop()) or
    in the one given (kept)."""

    def __init__(self, home: Path | None = None, unused_services: tuple[str, ...] = UNUSED_SERVICES,
                 database: Path | None = None):
        self.own_home = home is None
        self.home = home or Path(tempfile.mkdtemp(prefix="kbetl-test-prefect-server-"))
        if database is not None:  # a copy of a database Prefect migrated: the server starts without migrating
            shutil.copyfile(database, self.home / "prefect.db")
        self.api = f"http://127.0.0.1:{_free_port()}/api"
        port = self.api.rsplit(":", 1)[1].split("/")[0]
        env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
               **{f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false" for service in unused_services}}
        env.pop(URL_ENV, None)
        self.log = open(self.home / "server.log", "wb")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", port],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.own_home:
            shutil.rmtree(self.home, ignore_errors=True)


def start() -> TestServer:
    """Starts the run's server and points this process (and all it starts) at it; does not wait. It starts
    from the database the install migrated, when there is one (MIGRATED_AT_INSTALL)."""
    server = TestServer(database=MIGRATED_AT_INSTALL if MIGRATED_AT_INSTALL.is_file() else None)
    os.environ[URL_ENV] = os.environ[MARK_ENV] = server.api
    os.environ[HOME_ENV] = str(server.home)
    return server


def wait_until_healthy(tmp_path_factory: pytest.TempPathFactory, timeout: float = 180) -> None:
    """Waits for the run's server (started by the run's first process) to answer; then, before any flow runs on
    it, its database (migrated by its start) is kept as the run's migrated home (migrated_home)."""
    api = os.environ.get(MARK_ENV)
    if not api or os.environ.get(URL_ENV) != api:
        return
    wait_for_health(api, timeout)
    built_once(tmp_path_factory, MIGRATED, _copy_of_the_servers_database)


def wait_for_health(api: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{api}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the Prefect server at {api} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


IN_PROCESS_TIERS = ("unit", "warehouse")
CA_FILE_ENV = "PREFECT_API_SSL_CERT_FILE"


def one_ca_certificate(folder: Path) -> str:
    """A CA file of one certificate (certifi's first), for PREFECT_API_SSL_CERT_FILE. The tests' Prefect servers
    answer plain HTTP on loopback, yet Prefect loads its CA file whole for every client it makes: certifi's ~140
    certificates, 17 ms each time, and a task on a Dask worker makes two clients."""
    import certifi

    pem = Path(certifi.where()).read_text()
    end = "-----END CERTIFICATE-----"
    path = folder / "one-ca.pem"
    path.write_text(pem[pem.index("-----BEGIN CERTIFICATE-----"):pem.index(end) + len(end)] + "\n")
    return str(path)


def without_test_server(env: dict | None = None) -> dict:
    """An environment for a command that must start Prefect's temporary server itself."""
    environment = dict(os.environ if env is None else env)
    environment.pop(URL_ENV, None)
    environment.pop(MARK_ENV, None)
    return environment


def migrated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new Prefect home holding a database Prefect migrated (once per test run), for a command expected to
    start a Prefect server of its own (not for one expected to be refused before: `prefect.db` would be there
    anyway)."""
    home, _ = built_once(tmp_path_factory, MIGRATED, _migrate)
    return home


def _copy_of_the_servers_database(home: Path) -> None:
    with closing(sqlite3.connect(Path(os.environ[HOME_ENV]) / "prefect.db")) as source, \
            closing(sqlite3.connect(home / "prefect.db")) as copy:
        source.backup(copy)


def _migrate(home: Path) -> None:
    """When the run has no server of its own to copy (PREFECT_API_URL was set from outside the tests)."""
    environment = {**without_test_server(), "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                   "DO_NOT_TRACK": "1"}
    done = subprocess.run([PREFECT, "server", "database", "upgrade", "-y"], env=environment, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and (home / "prefect.db").is_file(), (done.stdout + done.stderr)[-3000:]


def wanted(args: list[str]) -> bool:
    """Whether the run needs the server: not when it only collects, nor when every path asked for is in an
    in-process tier (tests/unit, tests/warehouse: none runs a flow)."""
    if {"--collect-only", "--co"} & set(args):
        return False
    paths = [a.split("::")[0] for a in args if not a.startswith("-") and Path(a.split("::")[0]).exists()]
    tiers = [Path(__file__).resolve().parents[1] / tier for tier in IN_PROCESS_TIERS]
    return not paths or any(not any(Path(p).resolve().is_relative_to(t) for t in tiers) for p in paths)
