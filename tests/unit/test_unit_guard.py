"""The in-process guard (tests/helpers/in_process.py) refuses the network and other processes."""

import os
import socket
import subprocess
import sys
import threading

import pytest

from tests.helpers.in_process import OutsideTheUnit


def test_a_connection_a_subprocess_and_a_fork_are_refused_and_recorded(no_network_no_subprocess):
    with pytest.raises(OutsideTheUnit, match="socket.create_connection in an in-process test"):
        socket.create_connection(("127.0.0.1", 9))
    with socket.socket() as s, pytest.raises(OutsideTheUnit):
        s.connect(("127.0.0.1", 9))
    with pytest.raises(OutsideTheUnit, match="subprocess.Popen in an in-process test"):
        subprocess.run([sys.executable, "-c", "pass"])
    with pytest.raises(OutsideTheUnit):
        os.fork()
    assert no_network_no_subprocess == ["socket.create_connection", "socket.connect", "subprocess.Popen", "os.fork"]
    no_network_no_subprocess.clear()  # seen, so that this test itself passes


def _connect_when(go: threading.Event, seen: list[str]) -> None:
    go.wait(60)
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    except OutsideTheUnit:
        seen.append("refused")
    except OSError:
        seen.append("let through")  # nothing listens there


# a thread running before the test begins, as Prefect's log worker does after an earlier flow
_EARLIER_GO, _EARLIER_SEEN = threading.Event(), []
_EARLIER = threading.Thread(target=_connect_when, args=(_EARLIER_GO, _EARLIER_SEEN), daemon=True)
_EARLIER.start()


def test_a_thread_of_the_test_is_refused_one_running_before_it_is_not(no_network_no_subprocess):
    go, seen = threading.Event(), []
    own = threading.Thread(target=_connect_when, args=(go, seen))
    own.start()
    go.set()
    own.join(30)
    _EARLIER_GO.set()
    _EARLIER.join(30)
    assert (seen, _EARLIER_SEEN) == (["refused"], ["let through"])
    assert no_network_no_subprocess == ["socket.create_connection"]
    no_network_no_subprocess.clear()
