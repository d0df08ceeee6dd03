"""Stopping the temporary Prefect servers of killed commands is something a command does at its start:
importing the flows (or the command line) stops nothing."""

import os
import signal
import subprocess
import sys

from flows.servers import OWNER_ENV
from tests.hostile.runs_helpers import KBETL

# Looks like a killed command's server (Prefect's server app on its command line, an owner that is gone) and
# reports who sends it SIGTERM instead of dying: others' commands on the machine may stop it too, and the
# sender tells them apart.
FAKE_ORPHAN = """
import signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
print("ready", flush=True)
while True:
    print(signal.sigwaitinfo({signal.SIGTERM}).si_pid, flush=True)
"""


def _gone_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_importing_the_flows_stops_no_orphaned_server_and_a_command_stops_it_at_its_start():
    orphan = subprocess.Popen([sys.executable, "-c", FAKE_ORPHAN, "prefect.server.api.server:create_app"],
                              env={**os.environ, OWNER_ENV: str(_gone_pid())}, stdout=subprocess.PIPE, text=True)
    try:
        assert orphan.stdout.readline() == "ready\n"
        importer = subprocess.Popen([sys.executable, "-c", "import flows, flows.deploy, kbetl.cli"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        imported = importer.communicate(timeout=120)
        assert importer.returncode == 0, imported
        command = subprocess.Popen([KBETL, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = command.communicate(timeout=120)
        assert command.returncode == 0, out + err
    finally:
        orphan.send_signal(signal.SIGKILL)
        senders = [int(line) for line in orphan.communicate(timeout=30)[0].split()]
    assert importer.pid not in senders, "importing stopped a server"
    assert f"temporary Prefect server (pid {orphan.pid})" not in "".join(imported)
    assert command.pid in senders, "the command stops the orphan at its start"
    assert f"stopped the temporary Prefect server (pid {orphan.pid})" in err
