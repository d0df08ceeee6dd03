"""Unit tests stay in this process and off the network: any attempt to open a connection or to start another
process fails the test, even where the code under test would catch the error. (A Prefect flow run opens
connections to its API, so it fails here too.)"""

import os
import socket
import subprocess
from collections.abc import Iterator

import pytest


class OutsideTheUnit(RuntimeError):
    """What a unit test gets when it reaches for the network or another process."""


@pytest.fixture(autouse=True)
def no_network_no_subprocess(monkeypatch) -> Iterator[list[str]]:
    """The attempts seen, in order; the test fails at teardown if there were any."""
    attempts: list[str] = []

    def refuse(what: str):
        def refused(*args, **kwargs):
            attempts.append(what)
            raise OutsideTheUnit(f"{what} in a unit test: move the test to tests/integration")
        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("subprocess.Popen"))
    for name in ("fork", "forkpty", "system", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse(f"os.{name}"))
    yield attempts
    if attempts:
        pytest.fail(f"a unit test reached outside its process: {', '.join(attempts)}", pytrace=False)
