"""The commands of docs/operations.md that deploy, pull and backfill are run as written, on loopback: only the
addresses, ports, folders and the `…` the document leaves to the operator are filled in. And a backfill year
with nothing to load fails in a sentence."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import running_server
from kbetl.runs import backfill
from kbetl.sources.report_api.client import TOKEN_ENV, URL_ENV
from kbetl.warehouse.database import PROJECT_DIR
from tests.helpers.cluster import POOL, QUICK_POLLS, Cluster, free_port, new_cluster_root, wait_for
from tests.helpers.postgres import postgresql_installed  # noqa: F401  (a fixture)
from tests.helpers.warehouse import SAMPLE_DIR, archive_of, query

pytestmark = pytest.mark.prefect

DOC = PROJECT_DIR / "docs" / "operations.md"
YEARS = [2022, 2023]  # the years of the documented backfill
PROVINCES = ["16", "17", "18"]
TOKEN = "operations-doc-token"
LONG_RUNNING = ("dask scheduler", "dask worker", "prefect worker start")


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


def _environ() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KBETL_"))}


@pytest.fixture
def archive(tmp_path) -> Path:
    """Archived recaps of three provinces, one folder per documented year (the postgres user need not see it)."""
    return archive_of(tmp_path / "archive", YEARS, PROVINCES)


@pytest.fixture
def cluster_root():
    """The hosts' folders (servers' state, landing, working and published files), removed whatever happens."""
    root = new_cluster_root()
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_the_documented_deployment_backfill_pulls_from_the_workers_api_url_and_completes(
        postgresql_installed, archive, cluster_root):  # noqa: F811
    data = generate_facility_data(YEARS, PROVINCES, scale=0.1)
    root = cluster_root
    ports = {"prefect": free_port(), "dask": free_port()}
    machine = {**_environ(),  # what each host has before the commands: its folders and ports, never an address
               "KBETL_SERVER_HOME": str(root / "server"), "KBETL_PG_PORT": str(free_port()),
               "KBETL_PREFECT_PORT": str(ports["prefect"]), "PREFECT_UI_ENABLED": "false",
               "KBETL_DB": str(root / "work.duckdb"), "KBETL_PUBLISHED": str(root / "published.duckdb"),
               "PREFECT_HOME": str(root / "client"), **QUICK_POLLS,
               "MAKEFLAGS": "--assume-old=.venv/.installed"}  # the checkout is installed: make must not reinstall
    cluster = Cluster(root, machine)
    cluster.api = f"http://127.0.0.1:{ports['prefect']}/api"
    try:
        with running_server(data, TOKEN) as report_api:
            places = {"10.0.0.1": "127.0.0.1", "10.0.0.2": "127.0.0.1", ":4200": f":{ports['prefect']}",
                      "8786": str(ports["dask"]), "/mnt/kbetl-landing": str(root / "landing"),
                      "/mnt/kbetl-archive": str(archive), f"{TOKEN_ENV}=…": f"{TOKEN_ENV}={TOKEN}",
                      f"{URL_ENV}=…": f"{URL_ENV}={report_api.base_url}", "PREFECT_API_URL=…":
                      f"PREFECT_API_URL={cluster.api}"}
            commands = [filled_in(c, places) for c in documented_commands(DOC.read_text())]
            assert any("deployment run backfill/" in c for c in commands), commands
            cluster.server_started = any("server-start" in c for c in commands)
            last = None
            for number, command in enumerate(commands):
                if any(kind in command for kind in LONG_RUNNING):
                    in_checkout = f"cd {shlex.quote(str(PROJECT_DIR))} && {command}"
                    cluster.spawn(f"command-{number}", ["bash", "-c", in_checkout])
                    continue
                _wait_until_ready(cluster, commands[:number])
                last = subprocess.run(["bash", "-c", command], cwd=PROJECT_DIR, env=machine, capture_output=True,
                                      text=True, timeout=600)
                assert last.returncode == 0, (command, last.stdout[-3000:], last.stderr[-3000:],
                                              *(cluster.log(n)[-3000:] for n in cluster.processes))
    finally:
        cluster.stop()
    assert "Completed" in last.stdout, last.stdout

    # The worker's KBETL_API_URL was used: every facility record of the API is in the published marts.
    published = Path(machine["KBETL_PUBLISHED"])
    served = query(published, "select campaign_year, region_code, max(cumulative_achieved) from marts.daily_progress "
                              "where level = 'province' group by all order by all")
    expected = data.records.groupby(["campaign_year", "province_code"])["acceptors"].sum()
    assert served == [(y, p, int(n)) for (y, p), n in expected.items()]
    recaps = query(published, "select distinct campaign_year from marts.recap_files order by 1")
    assert recaps == [(y,) for y in YEARS]


def _wait_until_ready(cluster: Cluster, started: list[str]) -> None:
    """Before a command runs, the long-running ones documented before it are up (as an operator would check)."""
    dask_workers = sum("dask worker" in c for c in started)
    prefect_workers = sum("prefect worker start" in c for c in started)
    if dask_workers:
        from distributed import Client

        address = re.search(r"tcp://\S+", next(c for c in started if "dask worker" in c)).group(0)
        with Client(address, timeout=60) as client:
            client.wait_for_workers(dask_workers, timeout=60)
    if prefect_workers:
        wait_for(lambda: len(cluster.online_workers()) >= prefect_workers, 60, f"{prefect_workers} worker(s) of {POOL}")


def test_a_backfill_year_with_neither_recaps_nor_an_api_fails_in_a_sentence(tmp_path, monkeypatch):
    monkeypatch.delenv(URL_ENV, raising=False)
    recaps = tmp_path / "archive"
    (recaps / "2022").mkdir(parents=True)
    shutil.copy(SAMPLE_DIR / "2022" / "17_bengkulu.csv", recaps / "2022")
    failed, published = backfill(tmp_path / "w.duckdb", [2022, 2023], None, recaps, None, tmp_path / "p.duckdb")
    assert failed == [f"2023: tidak ada yang dapat dimuat: folder rekap {recaps / '2023'} tidak ada dan alamat API "
                      f"laporan tidak diberikan (--api-url atau ${URL_ENV} di mesin yang menjalankannya)"]
    assert published is None and not (tmp_path / "p.duckdb").exists()
    assert query(tmp_path / "w.duckdb", "select distinct campaign_year from marts.recap_files") == [(2022,)]


def test_the_backfill_command_with_nothing_to_load_exits_1_with_the_sentence(tmp_path):
    # the tests' Prefect server (the sentence comes after Prefect starts; its temporary server only adds seconds)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KBETL_")},
           "PREFECT_HOME": str(tmp_path / "prefect")}
    done = subprocess.run([Path(sys.executable).parent / "kbetl", "backfill", "--years", "2022", "--db",
                           str(tmp_path / "w.duckdb")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("2022: tidak ada yang dapat dimuat: tidak ada folder rekap (--recap-dir) dan alamat API laporan tidak "
            "diberikan") in done.stderr
    assert "Traceback" not in done.stderr
