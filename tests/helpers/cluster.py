"""A kbetl cluster on loopback for the tests, started by the commands of docs/operations.md: PostgreSQL and a
Prefect server on it (scripts/server.sh), the deployments, Prefect workers of the writer's pool and a Dask
scheduler with its workers, each long-running process in a group of its own so that it can be stopped (or
killed) with everything it started, and started again as it was. `Cluster.stop` stops all of it, whatever
state it is in."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from kbetl.warehouse.database import PROJECT_DIR

BIN = Path(sys.executable).parent
SERVER_SCRIPT = PROJECT_DIR / "scripts" / "server.sh"
POOL = "kbetl-writer"
# Prefect's own polling, shortened for the tests (they are about what happens, not how soon a poll sees it):
# a worker looks for new flow runs every 10 s by default (a deployment's run and then each of its child runs
# waited for one), and the server frees the slots of expired leases (a killed writer's) every 15 s. Every poll
# is a query on the server: measured idle (server, PostgreSQL and two workers), polling every 1 s cost 4.9 CPU-s
# a minute, every 2 s 3.3 (10 s: 1.9), for a wait of half a second more on average per run picked up.
QUICK_POLLS = {"PREFECT_WORKER_QUERY_SECONDS": "2", "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS": "1"}
# Dask's own monitoring, which the tests never read: the statistical profiler of the workers' task threads
# (every 10 ms), the event loop's health tick of every scheduler, nanny and worker (every 20 ms), the nannies'
# and workers' memory checks (every 100 ms) and the system monitor (every 500 ms) feed the dashboard and its
# warnings. Measured idle, a scheduler and two `dask worker`s: 6.0 CPU-s a minute with the defaults, 0.8 with
# these (the memory limits are still enforced, checked every second).
QUIET_DASK = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False", "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
              "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "1s",
              "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(probe, seconds: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, grace_s: float = 10) -> None:
    """The process and its group (it was started in a session of its own); SIGKILL after grace_s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@dataclass
class Cluster:
    root: Path
    env: dict  # for every process of the cluster (the API token included: never passed to Prefect)
    api: str = ""
    dask: str = ""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: dict[str, list] = field(default_factory=dict)  # what each process was started with
    server_started: bool = False

    def server(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(SERVER_SCRIPT), action], env=self.env, capture_output=True, text=True,
                              timeout=200)

    def spawn(self, name: str, command: list) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "ab")
        process = subprocess.Popen([str(c) for c in command], env={**self.env, "PREFECT_HOME": str(self.root / name)},
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.root)
        log.close()
        self.processes[name], self.commands[name] = process, command
        return process

    def restart(self, name: str) -> subprocess.Popen:
        """The process started again with its command (as an operator brings a machine back)."""
        return self.spawn(name, self.commands[name])

    def started_by(self, pid: int) -> str | None:
        """The name of the long-running process that `pid` descends from, if any."""
        ancestors = set()
        while pid and pid not in ancestors:
            ancestors.add(pid)
            pid = _parent_of(pid)
        return next((name for name, p in self.processes.items() if p.pid in ancestors), None)

    def online_workers(self) -> set[str]:
        answer = requests.post(f"{self.api}/work_pools/{POOL}/workers/filter", json={}, timeout=10)
        return {w["name"] for w in answer.json() if w["status"] == "ONLINE"} if answer.ok else set()

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """All the processes told at once, then each waited for (up to its grace): one after another, each
        Prefect worker could take its whole grace while the others had not yet been asked."""
        running = [p for p in reversed(list(self.processes.values())) if p.poll() is None]
        for process in running:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in running:
            stop_group(process)
        if self.server_started:
            self.server("stop")


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except FileNotFoundError:  # the process has ended
        return None


def new_cluster_root() -> Path:
    """A folder the postgres user can traverse (pytest's tmp_path is root's alone)."""
    root = Path(tempfile.mkdtemp(prefix="kbetl-scale-"))
    root.chmod(0o755)
    return root
