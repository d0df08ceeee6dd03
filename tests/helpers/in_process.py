"""The in-process tiers (tests/unit and tests/warehouse, each conftest installs this guard) stay in this process
and off the network: any attempt to open a connection or to start another
process fails the test, even where the code under test would catch the error. (A Prefect flow run opens
connections to its API, so it fails here too.) Threads that were running before the test began (Prefect's log
and event workers, started by a flow of an earlier integration test in the same worker and sending its logs
to the tests' Prefect server) are not the test's, and pass."""

import os
import socket
import subprocess
import threading
from collections.abc import Iterator

import pytest


class OutsideTheUnit(RuntimeError):
    """What a unit test gets when it reaches for the network or another process."""


@pytest.fixture(autouse=True)
def no_network_no_subprocess(monkeypatch) -> Iterator[list[str]]:
    """The attempts seen, in order; the test fails at teardown if there were any."""
    attempts: list[str] = []
    earlier = set(threading.enumerate()) - {threading.current_thread()}

    def refuse(owner, name: str, what: str):
        original = getattr(owner, name)

        def refused(*args, **kwargs):
            if threading.current_thread() in earlier:
                return original(*args, **kwargs)
            attempts.append(what)
            raise OutsideTheUnit(f"{what} in an in-process test: move the test to tests/integration")
        monkeypatch.setattr(owner, name, refused)

    refuse(socket.socket, "connect", "socket.connect")
    refuse(socket.socket, "connect_ex", "socket.connect_ex")
    refuse(socket, "create_connection", "socket.create_connection")
    refuse(subprocess.Popen, "__init__", "subprocess.Popen")
    for name in ("fork", "forkpty", "system", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            refuse(os, name, f"os.{name}")
    yield attempts
    if attempts:
        pytest.fail(f"an in-process test reached outside its process: {', '.join(attempts)}", pytrace=False)
