"""The unit tests' guard (tests/unit/conftest.py) refuses the network and other processes."""

import os
import socket
import subprocess
import sys

import pytest

from tests.unit.conftest import OutsideTheUnit


def test_a_connection_a_subprocess_and_a_fork_are_refused_and_recorded(no_network_no_subprocess):
    with pytest.raises(OutsideTheUnit, match="socket.create_connection in a unit test"):
        socket.create_connection(("127.0.0.1", 9))
    with socket.socket() as s, pytest.raises(OutsideTheUnit):
        s.connect(("127.0.0.1", 9))
    with pytest.raises(OutsideTheUnit, match="subprocess.Popen in a unit test"):
        subprocess.run([sys.executable, "-c", "pass"])
    with pytest.raises(OutsideTheUnit):
        os.fork()
    assert no_network_no_subprocess == ["socket.create_connection", "socket.connect", "subprocess.Popen", "os.fork"]
    no_network_no_subprocess.clear()  # seen, so that this test itself passes
