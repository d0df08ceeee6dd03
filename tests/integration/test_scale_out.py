"""Past one machine, on loopback, set up by the commands of docs/operations.md run as written (only the
addresses, ports, folders and the `…` the document leaves to the operator filled in): PostgreSQL and a Prefect
server on it, the deployments, a Dask scheduler, and two machines of each kind the document names more than one
of (extract hosts with a Dask worker, writer hosts with a worker of the `process` pool). The documented backfill
completes; a backfill through the deployments spreads over both workers and equals one machine; a worker killed
in the middle of one."""

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path

import pytest
import requests

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl.reference.regions import provinces_of
from kbetl.runs import backfill
from kbetl.sources.report_api.client import TOKEN_ENV, URL_ENV
from kbetl.warehouse.database import PROJECT_DIR
from kbetl.warehouse.run import WRITER_LIMIT_ENV
from tests.helpers.cluster import (
    BIN,
    POOL,
    QUICK_POLLS,
    QUIET_DASK,
    Cluster,
    free_port,
    new_cluster_root,
    stop_group,
    wait_for,
)
from tests.helpers.postgres import postgresql_installed  # noqa: F401  (a fixture)
from tests.helpers.prefect_server import CA_FILE_ENV, one_ca_certificate
from tests.helpers.warehouse import archive_of, marts_snapshot, query

pytestmark = pytest.mark.prefect

DOC = PROJECT_DIR / "docs" / "operations.md"
YEARS = [2022, 2023]  # the years of the documented backfill
PROVINCES = ["16", "17", "18"]
TOKEN = "scale-out-token"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
# The long-running commands, and how many machines run each: "each extract host", "one or more workers".
LONG_RUNNING = {"dask scheduler": 1, "dask worker": 2, "prefect worker start": 2}
DOCUMENTED_BACKFILL = "deployment run backfill/"


@dataclass
class DocumentedCluster(Cluster):
    backfill: str = ""  # the documented backfill, filled in


def documented_commands(text: str) -> list[str]:
    """The commands of the shell blocks that deploy, pull or backfill, in order: continuation lines joined,
    comments left out."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        if not re.search(r"\b(deploy|backfill|pull)\b", block):
            continue
        joined = re.sub(r"\\\n\s*", "", block)
        for line in joined.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def filled_in(command: str, places: dict[str, str]) -> str:
    for placeholder, value in places.items():
        command = command.replace(placeholder, value)
    assert "…" not in command and "10.0.0." not in command, f"a placeholder the test does not know: {command}"
    return command


@pytest.fixture(scope="module")
def shared():
    """The hosts' folder: the servers' state, the shared landing location, the working and published files and
    the recap archive, removed whatever happens."""
    root = new_cluster_root()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def archive(shared) -> Path:
    """Archived recaps of the three provinces, one folder per documented year, where every machine sees them
    (the same path for every backfill: the marts name the files' paths)."""
    return archive_of(shared / "archive", YEARS, PROVINCES)


@pytest.fixture(scope="module")
def api_data():
    return generate_facility_data(YEARS, PROVINCES, scale=0.1)


@pytest.fixture(scope="module")
def report_api(api_data):
    with running_server(api_data, TOKEN) as server:
        yield server


def one_machine_backfill(tmp_path_factory, archive: Path, report_api, provinces: list[str] | None) -> dict:
    """The marts of a backfill of the archive and the API on one machine with the defaults."""
    db = tmp_path_factory.mktemp("one-machine") / "w.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TOKEN_ENV, TOKEN)
        failed, published = backfill(db, YEARS, provinces, archive, report_api.base_url, None)
    assert failed == []
    return marts_snapshot(db)


@pytest.fixture(scope="module")
def one_machine(tmp_path_factory, archive, report_api) -> dict:
    """The backfill of three provinces on one machine: the marts to match."""
    return one_machine_backfill(tmp_path_factory, archive, report_api, PROVINCES)


@pytest.fixture(scope="module")
def cluster(postgresql_installed, shared, archive, report_api):  # noqa: F811
    """The documented commands up to the backfill, each long-running one on as many machines as LONG_RUNNING
    says (the backfill is the first test's)."""
    root = shared
    ports = {"prefect": free_port(), "dask": free_port()}
    machine = {**_environ(),  # what each host has before the commands: its folders and ports, never an address
               "KBETL_SERVER_HOME": str(root / "server"), "KBETL_PG_PORT": str(free_port()),
               "KBETL_PREFECT_PORT": str(ports["prefect"]), "PREFECT_UI_ENABLED": "false",
               "KBETL_DB": str(root / "work.duckdb"), "KBETL_PUBLISHED": str(root / "published.duckdb"),
               "PREFECT_HOME": str(root / "client"), **QUICK_POLLS, **QUIET_DASK,
               CA_FILE_ENV: one_ca_certificate(root),  # its Prefect server is plain HTTP on loopback
               "MAKEFLAGS": "--assume-old=.venv/.installed"}  # the checkout is installed: make must not reinstall
    running = DocumentedCluster(root, machine, api=f"http://127.0.0.1:{ports['prefect']}/api",
                      dask=f"tcp://127.0.0.1:{ports['dask']}")
    places = {"10.0.0.1": "127.0.0.1", "10.0.0.2": "127.0.0.1", ":4200": f":{ports['prefect']}",
              "8786": str(ports["dask"]), "/mnt/kbetl-landing": str(root / "landing"),
              "/mnt/kbetl-archive": str(archive), f"{TOKEN_ENV}=…": f"{TOKEN_ENV}={TOKEN}",
              f"{URL_ENV}=…": f"{URL_ENV}={report_api.base_url}", "PREFECT_API_URL=…": f"PREFECT_API_URL={running.api}"}
    commands = [filled_in(c, places) for c in documented_commands(DOC.read_text())]
    assert [c for c in commands if DOCUMENTED_BACKFILL in c] == commands[-1:], commands
    running.server_started = any("server-start" in c for c in commands)
    try:
        for number, command in enumerate(commands[:-1]):
            kind = next((k for k in LONG_RUNNING if k in command), None)
            if kind is None:
                done = subprocess.run(["bash", "-c", command], cwd=PROJECT_DIR, env=machine, capture_output=True,
                                      text=True, timeout=600)
                assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
                continue
            for host in "ab"[:LONG_RUNNING[kind]]:
                in_checkout = f"cd {shlex.quote(str(PROJECT_DIR))} && {command}"
                running.spawn(f"{kind.split()[0]}-{kind.split()[1]}-{host}", ["bash", "-c", in_checkout])
        _wait_until_ready(running)
        running.backfill = commands[-1]
        yield running
    finally:
        running.stop()
        secret = (root / "server" / "pg-password").read_text().strip() if (root / "server" / "pg-password").exists() \
            else None
        logs = [p for p in root.rglob("*.log") if p.is_file()]
        leaked = [str(p) for p in logs if secret and secret in p.read_text(errors="replace")]
    assert secret and not leaked, f"the database password is in {leaked}"


def _wait_until_ready(cluster: Cluster) -> None:
    """The long-running commands are up (as an operator would check before a backfill)."""
    from distributed import Client

    with Client(cluster.dask, timeout=60) as client:
        client.wait_for_workers(LONG_RUNNING["dask worker"], timeout=60)
    workers = LONG_RUNNING["prefect worker start"]
    wait_for(lambda: len(cluster.online_workers()) >= workers, 60, f"{workers} workers of {POOL}")


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


@dataclass
class DocumentedRun:
    done: subprocess.CompletedProcess  # the documented command's
    parent: dict  # its flow run
    since: datetime
    stream: list  # the Dask tasks run meanwhile


@pytest.fixture(scope="module")
def documented_run(cluster) -> DocumentedRun:
    """The documented backfill (every province of each year's map; the API serves three), the Dask scheduler
    recording its tasks."""
    from distributed import Client

    since = datetime.now(timezone.utc)
    with Client(cluster.dask, timeout=30) as dask:
        dask.get_task_stream()  # the scheduler records tasks from now on
        done = subprocess.run(["bash", "-c", cluster.backfill], cwd=PROJECT_DIR, env=cluster.env, capture_output=True,
                              text=True, timeout=600)
        stream = dask.get_task_stream()
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:],
                                  *(cluster.log(n)[-3000:] for n in cluster.processes))
    deployment = requests.get(f"{cluster.api}/deployments/name/backfill/kbetl-backfill", timeout=10).json()
    [parent] = requests.post(f"{cluster.api}/flow_runs/filter", timeout=10, json={
        "flow_runs": {"deployment_id": {"any_": [deployment["id"]]}}}).json()
    return DocumentedRun(done, parent, since, stream)


@pytest.fixture(scope="module")
def one_machine_every_province(tmp_path_factory, archive, report_api) -> dict:
    """The documented backfill on one machine with the defaults: the marts to match."""
    return one_machine_backfill(tmp_path_factory, archive, report_api, None)


def test_the_documented_deployment_backfill_pulls_from_the_workers_api_url_and_completes(cluster, api_data,
                                                                                         documented_run):
    assert "Completed" in documented_run.done.stdout, documented_run.done.stdout

    # The worker's KBETL_API_URL was used: every facility record of the API is in the published marts.
    published = Path(cluster.env["KBETL_PUBLISHED"])
    served = query(published, "select campaign_year, region_code, max(cumulative_achieved) from marts.daily_progress "
                              "where level = 'province' group by all order by all")
    expected = api_data.records.groupby(["campaign_year", "province_code"])["acceptors"].sum()
    assert served == [(y, p, int(n)) for (y, p), n in expected.items()]
    recaps = query(published, "select distinct campaign_year from marts.recap_files order by 1")
    assert recaps == [(y,) for y in YEARS]


def test_the_documented_backfill_spreads_over_both_workers_and_equals_one_machine(
        cluster, archive, documented_run, one_machine_every_province):
    parent, db = documented_run.parent, Path(cluster.env["KBETL_DB"])
    assert finished(cluster, parent["id"], 10)["state"]["type"] == "COMPLETED"
    years = children(cluster, parent)
    assert len(years) == 2 and all(r["state"]["type"] == "COMPLETED" for r in years)

    executors = wait_for(lambda: (e := executed_by(cluster, documented_run.since)).keys()
                         >= {parent["id"], *(r["id"] for r in years)} and e, 30, "the workers' events")
    assert len(set(executors.values())) == 2 and set(executors.values()) <= cluster.online_workers(), executors

    extracting = [t for t in documented_run.stream
                  if "pull_package" in str(t["key"]) or "recap_package" in str(t["key"])]
    packages = sum(len(list((archive / str(y)).iterdir())) + len(provinces_of(y)) for y in YEARS)
    assert len(extracting) == packages, [t["key"] for t in documented_run.stream]
    assert len({t["worker"] for t in extracting}) == 2, "extract tasks ran on both Dask workers"

    writes = query(db, "select command, started_at, finished_at from audit.runs order by started_at")
    assert len(writes) == 5 and all(status is not None for _, _, status in writes)  # 2 × (recaps, reports) + rebuild
    for (_, start_a, end_a), (_, start_b, end_b) in combinations(writes, 2):
        assert end_a <= start_b or end_b <= start_a, f"two writes overlapped: {start_a}–{end_a} and {start_b}–{end_b}"
    first, second = sorted(years, key=lambda r: r["start_time"])
    assert second["start_time"] < first["end_time"], "the years ran at the same time (their writes queued)"
    assert marts_snapshot(db) == one_machine_every_province
    assert not any((cluster.root / "landing").rglob("manifest.json")), "every landed result was loaded and removed"


def test_a_worker_killed_mid_run_leaves_the_run_crashed_and_a_second_run_gives_the_same_marts(
        cluster, archive, report_api, one_machine, tmp_path):
    db = tmp_path / "w.duckdb"
    report_api.faults = Faults(delay_s=0.5)  # the pulls are still running when the worker is killed
    worker, workers_before = None, cluster.online_workers()  # a worker started again comes back with a new name
    try:
        first = run_backfill(cluster, db, archive, report_api.base_url)
        running = wait_for(lambda: [r for r in children(cluster, first) if r["state"]["type"] == "RUNNING"
                                    and r["infrastructure_pid"]], 120, "a year's run to be running")[0]
        time.sleep(3)
        pid = int(running["infrastructure_pid"].rsplit(":", 1)[-1])  # "pid" or "host:pid"
        worker = cluster.started_by(pid)
        assert worker is not None, f"the year's flow run (pid {pid}) ended before it could be killed"
        assert worker.startswith("prefect-worker-"), worker
        for group in {os.getpgid(pid), cluster.processes[worker].pid}:  # the worker and the flow run it started
            _kill_group(group)
        stop_group(cluster.processes[worker], signal.SIGKILL)
    finally:
        report_api.faults = Faults()
        if worker is not None:
            cluster.restart(worker)  # the machine back, as an operator would bring it
    wait_for(lambda: cluster.online_workers() - workers_before, 60, f"{worker} back online")

    second = run_backfill(cluster, db, archive, report_api.base_url)  # its writes queue for the killed run's slot
    crashed = finished(cluster, running["id"], 150)
    assert crashed["state"]["type"] == "CRASHED", crashed["state"]
    state = finished(cluster, second["id"], 300)["state"]
    assert state["type"] == "COMPLETED", (state, [r["state"] for r in children(cluster, second)])
    assert finished(cluster, first["id"], 60)["state"]["type"] in ("FAILED", "CRASHED"), "the first run says so"
    assert marts_snapshot(db) == one_machine
    statuses = [s for (s,) in query(db, "select status from audit.runs")]
    assert "running" not in statuses, statuses


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_a_writer_limit_that_does_not_exist_fails_the_run_before_it_writes(cluster, archive, tmp_path):
    db = tmp_path / "w.duckdb"
    recap = next((archive / "2022").glob("16_*"))
    done = subprocess.run([BIN / "kbetl", "ingest", str(recap), "--db", str(db)], capture_output=True, text=True,
                          timeout=120, env={**cluster.env, "PREFECT_API_URL": cluster.api,
                                                          WRITER_LIMIT_ENV: "no-such-limit"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "batas konkurensi global Prefect 'no-such-limit'" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    # the run holds the slot before it opens the file, and nothing else opens it: it was never created
    assert not db.exists(), "nothing written unguarded"
