"""Past one machine, on loopback: PostgreSQL and a Prefect server on it, a `process` work pool with two
workers, a Dask scheduler with two Dask workers; a backfill through the deployments, and a worker killed
in the middle of one."""

import os
import shutil
import signal
import subprocess
import time
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path

import pytest
import requests

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl.runs import backfill
from kbetl.sources.report_api.client import TOKEN_ENV
from kbetl.warehouse.run import WRITER_LIMIT_ENV
from tests.helpers.cluster import BIN, Cluster, new_cluster_root, stop_group, wait_for
from tests.helpers.postgres import postgresql_installed  # noqa: F401  (a fixture)
from tests.helpers.warehouse import archive_of, marts_snapshot, query

pytestmark = pytest.mark.prefect

YEARS = [2022, 2023]
PROVINCES = ["16", "17", "18"]
TOKEN = "scale-out-token"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@pytest.fixture(scope="module")
def shared():
    """The cluster's folder: its servers' state, the shared landing location and the recap archive."""
    root = new_cluster_root()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def archive(shared) -> Path:
    """Archived recaps of the three provinces, one folder per year, where every machine sees them (the same
    path for both backfills: the marts name the files' paths)."""
    return archive_of(shared / "archive", YEARS, PROVINCES)


@pytest.fixture(scope="module")
def report_api():
    with running_server(generate_facility_data(YEARS, PROVINCES, scale=0.1), TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def one_machine(tmp_path_factory, archive, report_api) -> dict:
    """The same backfill on one machine with the defaults: the marts to match."""
    db = tmp_path_factory.mktemp("one-machine") / "w.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TOKEN_ENV, TOKEN)
        failed, published = backfill(db, YEARS, PROVINCES, archive, report_api.base_url, None)
    assert failed == []
    return marts_snapshot(db)


@pytest.fixture(scope="module")
def cluster(postgresql_installed, shared):  # noqa: F811
    root = shared
    running = Cluster(root, {**_environ(), TOKEN_ENV: TOKEN})
    try:
        yield running.start()
    finally:
        running.stop()
        secret = (root / "server" / "pg-password").read_text().strip() if (root / "server" / "pg-password").exists() \
            else None
        logs = [p for p in root.rglob("*.log") if p.is_file()]
        leaked = [str(p) for p in logs if secret and secret in p.read_text(errors="replace")]
    assert secret and not leaked, f"the database password is in {leaked}"


def _environ() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KBETL_"))}


def run_backfill(cluster: Cluster, db: Path, archive: Path, base_url: str) -> dict:
    """Starts the backfill deployment's flow run; returns it."""
    deployment = requests.get(f"{cluster.api}/deployments/name/backfill/kbetl-backfill", timeout=10).json()
    answer = requests.post(f"{cluster.api}/deployments/{deployment['id']}/create_flow_run", timeout=10, json={
        "parameters": {"years": YEARS, "provinces": PROVINCES, "recap_dir": str(archive),
                       "base_url": base_url, "db": str(db), "publish_to": str(db.parent / "published.duckdb")}})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def flow_run(cluster: Cluster, run_id: str) -> dict:
    return requests.get(f"{cluster.api}/flow_runs/{run_id}", timeout=10).json()


def children(cluster: Cluster, parent: dict) -> list[dict]:
    """The backfill's year runs (flow runs of the backfill-year deployment started by it)."""
    answer = requests.post(f"{cluster.api}/flow_runs/filter", timeout=10, json={
        "flow_runs": {"parent_flow_run_id": {"any_": [parent["id"]]}}})
    runs = answer.json()
    return [r for r in runs if r["deployment_id"]]


def finished(cluster: Cluster, run_id: str, seconds: float) -> dict:
    return wait_for(lambda: (r := flow_run(cluster, run_id))["state"]["type"] in FINAL and r, seconds,
                    f"flow run {run_id} to finish", every=2)


def executed_by(cluster: Cluster, since: datetime) -> dict[str, str]:
    """flow run id → the name of the Prefect worker that executed it, from the workers' events."""
    answer = requests.post(f"{cluster.api}/events/filter", timeout=10, json={
        "filter": {"event": {"name": ["prefect.worker.executed-flow-run"]},
                   "occurred": {"since": since.isoformat()}}, "limit": 50})
    found = {}
    for event in answer.json()["events"]:
        runs = [r["prefect.resource.id"] for r in event["related"] if r["prefect.resource.role"] == "flow-run"]
        for run in runs:
            found[run.removeprefix("prefect.flow-run.")] = event["resource"]["prefect.resource.name"]
    return found


def test_a_backfill_through_the_deployments_spreads_over_both_workers_and_equals_one_machine(
        cluster, archive, report_api, one_machine, tmp_path):
    from distributed import Client

    db = tmp_path / "w.duckdb"
    since = datetime.now(timezone.utc)
    with Client(cluster.dask, timeout=30) as dask:
        dask.get_task_stream()  # the scheduler records tasks from now on
        parent = run_backfill(cluster, db, archive, report_api.base_url)
        state = finished(cluster, parent["id"], 240)["state"]
        assert state["type"] == "COMPLETED", (state, cluster.log("worker-a")[-3000:], cluster.log("worker-b")[-3000:])
        stream = dask.get_task_stream()
    years = children(cluster, parent)
    assert len(years) == 2 and all(r["state"]["type"] == "COMPLETED" for r in years)

    executors = wait_for(lambda: (e := executed_by(cluster, since)).keys() >= {parent["id"], *(r["id"] for r in years)}
                         and e, 30, "the workers' events")
    assert set(executors.values()) == {"worker-a", "worker-b"}, executors

    extracting = [t for t in stream if "pull_package" in str(t["key"]) or "recap_package" in str(t["key"])]
    assert len(extracting) == len(YEARS) * len(PROVINCES) * 2, [t["key"] for t in stream]
    assert len({t["worker"] for t in extracting}) == 2, "extract tasks ran on both Dask workers"

    writes = query(db, "select command, started_at, finished_at from audit.runs order by started_at")
    assert len(writes) == 5 and all(status is not None for _, _, status in writes)  # 2 × (recaps, reports) + rebuild
    for (_, start_a, end_a), (_, start_b, end_b) in combinations(writes, 2):
        assert end_a <= start_b or end_b <= start_a, f"two writes overlapped: {start_a}–{end_a} and {start_b}–{end_b}"
    first, second = sorted(years, key=lambda r: r["start_time"])
    assert second["start_time"] < first["end_time"], "the years ran at the same time (their writes queued)"
    assert marts_snapshot(db) == one_machine
    assert not any((cluster.root / "landing").rglob("manifest.json")), "every landed result was loaded and removed"


def test_a_worker_killed_mid_run_leaves_the_run_crashed_and_a_second_run_gives_the_same_marts(
        cluster, archive, report_api, one_machine, tmp_path):
    db = tmp_path / "w.duckdb"
    report_api.faults = Faults(delay_s=0.5)  # the pulls are still running when the worker is killed
    worker = None
    try:
        first = run_backfill(cluster, db, archive, report_api.base_url)
        running = wait_for(lambda: [r for r in children(cluster, first) if r["state"]["type"] == "RUNNING"
                                    and r["infrastructure_pid"]], 120, "a year's run to be running")[0]
        time.sleep(3)
        pid = int(running["infrastructure_pid"].rsplit(":", 1)[-1])  # "pid" or "host:pid"
        worker = next((name for name, p in cluster.processes.items() if name.startswith("worker-")
                       and _parent_of(pid) == p.pid), None)
        assert worker is not None, f"the year's flow run (pid {pid}) ended before it could be killed"
        for group in {os.getpgid(pid), cluster.processes[worker].pid}:  # the worker and the flow run it started
            _kill_group(group)
        stop_group(cluster.processes[worker], signal.SIGKILL)
    finally:
        report_api.faults = Faults()
        if worker is not None:
            cluster.start_worker(worker)  # the machine back, as an operator would bring it
    wait_for(lambda: worker in cluster.online_workers(), 60, f"{worker} back online")

    second = run_backfill(cluster, db, archive, report_api.base_url)  # its writes queue for the killed run's slot
    crashed = finished(cluster, running["id"], 150)
    assert crashed["state"]["type"] == "CRASHED", crashed["state"]
    state = finished(cluster, second["id"], 300)["state"]
    assert state["type"] == "COMPLETED", (state, [r["state"] for r in children(cluster, second)])
    assert finished(cluster, first["id"], 60)["state"]["type"] in ("FAILED", "CRASHED"), "the first run says so"
    assert marts_snapshot(db) == one_machine
    statuses = [s for (s,) in query(db, "select status from audit.runs")]
    assert "running" not in statuses, statuses


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except FileNotFoundError:  # the process has ended
        return None


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_a_writer_limit_that_does_not_exist_fails_the_run_before_it_writes(cluster, archive, tmp_path):
    db = tmp_path / "w.duckdb"
    recap = next((archive / "2022").glob("16_*"))
    done = subprocess.run([BIN / "kbetl", "ingest", str(recap), "--db", str(db)], capture_output=True, text=True,
                          timeout=120, env={**cluster.env, WRITER_LIMIT_ENV: "no-such-limit"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "batas konkurensi global Prefect 'no-such-limit'" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    # the run holds the slot before it opens the file, and nothing else opens it: it was never created
    assert not db.exists(), "nothing written unguarded"
