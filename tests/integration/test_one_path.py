"""One path (issue 22): the same backfill, its packages made by the one-machine task runner (threads) and by a
local Dask cluster (two worker processes), gives the same packages and the same marts. Only the task runner
($KBETL_DASK_ADDRESS) and the landing location ($KBETL_LANDING) differ between the two."""

import dataclasses
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import running_server
from kbetl.packages import read_manifest, read_pull_package, read_recap_package
from kbetl.reference.tables import campaign_days
from kbetl.sources.recaps.stage import find_recap_files
from kbetl.sources.report_api.client import TOKEN_ENV
from tests.helpers.warehouse import archive_of, marts_snapshot, query

pytestmark = pytest.mark.prefect

YEAR = 2022
PROVINCES = ["17", "63"]
TOKEN = "one-path-token"
VOLATILE = {"fetched_at", "seconds"}  # when a response came and how long a pull took differ between any two runs


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return archive_of(tmp_path_factory.mktemp("one-path") / "arsip", [YEAR], PROVINCES)


@pytest.fixture(scope="module")
def report_api():
    with running_server(generate_facility_data([YEAR], PROVINCES, scale=0.1), TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def dask_address():
    from distributed import LocalCluster

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TOKEN_ENV, TOKEN)  # the workers pull: they inherit it when they start
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            yield cluster.scheduler_address


def run_on(where: str, dask_address: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The one machine's defaults, or the cluster: its scheduler and a landing location its workers see.
    Returns where the packages land."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.delenv("KBETL_LANDING", raising=False)
    monkeypatch.delenv("KBETL_DASK_ADDRESS", raising=False)
    if where == "threads":
        return tmp_path / where / "landing"  # beside the working file
    monkeypatch.setenv("KBETL_DASK_ADDRESS", dask_address)
    monkeypatch.setenv("KBETL_LANDING", str(tmp_path / "shared-landing"))
    return tmp_path / "shared-landing"


def described(value, landing: Path):
    """A package as read back, compared by content: tables by their columns, types and rows, bytes by their
    hash, paths inside the landing location by their place there, and no timing."""
    if isinstance(value, pd.DataFrame):
        cells = value.astype(object).where(value.notna(), None)  # a missing cell as None (NaN is not NaN)
        return list(value.columns), [str(t) for t in value.dtypes], cells.values.tolist()
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, Path):
        return ("landing", len(value.relative_to(landing).parts)) if value.is_relative_to(landing) else str(value)
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, {f.name: described(getattr(value, f.name), landing)
                                      for f in dataclasses.fields(value) if f.name not in VOLATILE})
    if isinstance(value, dict):
        return {k: described(v, landing) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, (list, tuple)):
        return [described(v, landing) for v in value]
    return value


def packages_made(archive: Path, base_url: str, landing: Path) -> dict:
    """A flow run that only makes the packages, as ingest and pull do, with the flow's own task runner; each
    package as its manifest and its item read back."""
    from prefect import flow

    from flows.daily import pull_packages
    from flows.fanout import RunnerOfTheRun
    from flows.recap import recap_packages

    @flow(name="make-packages", task_runner=RunnerOfTheRun())
    def make_packages() -> dict:
        recaps = [str(p) for p in recap_packages(find_recap_files([archive / str(YEAR)]), YEAR, None, None, landing)]
        pulls = list(pull_packages(PROVINCES, YEAR, campaign_days(YEAR), base_url, landing, extract_retries=0))
        assert all(isinstance(p, Path) for p in pulls), pulls  # no province failed
        return {"recaps": recaps, "pulls": [str(p) for p in pulls]}

    made = make_packages()
    recaps = [(read_manifest(Path(p)), described(read_recap_package(Path(p)), landing)) for p in made["recaps"]]
    pulls = sorted(((read_manifest(Path(p)), described(read_pull_package(Path(p)), landing)) for p in made["pulls"]),
                   key=lambda package: package[0]["name"])
    return {"recaps": recaps, "pulls": pulls}


def test_the_same_backfill_through_threads_and_through_dask_gives_the_same_packages_and_marts(
        dask_address, archive, report_api, tmp_path, monkeypatch):
    from flows.backfill import backfill

    outcomes = {}
    for where in ("threads", "dask"):
        landing = run_on(where, dask_address, tmp_path, monkeypatch)
        packages = packages_made(archive, report_api.base_url, landing)
        assert len(packages["recaps"]) == len(find_recap_files([archive / str(YEAR)])) == len(PROVINCES)
        db = tmp_path / where / "w.duckdb"
        state = backfill([YEAR], PROVINCES, str(archive), report_api.base_url, db=str(db), return_state=True)
        assert state.is_completed(), state.message
        assert query(db, "select count(*) from audit.api_pulls where status = 'loaded'") == [(len(PROVINCES),)]
        assert not any(landing.rglob("item.json")), "every package made was loaded and removed"
        outcomes[where] = packages, marts_snapshot(db)
    assert outcomes["threads"][0] == outcomes["dask"][0], "the same packages"
    assert outcomes["threads"][1] == outcomes["dask"][1], "the same marts"
    assert outcomes["threads"][1]["marts.achievement"], "the marts hold the year"


def test_with_dask_the_packages_are_made_on_both_workers(dask_address, archive, report_api, monkeypatch, tmp_path):
    from distributed import Client

    landing = run_on("dask", dask_address, tmp_path, monkeypatch)
    with Client(dask_address) as client:
        client.get_task_stream()  # the scheduler records tasks from now on
        packages_made(archive, report_api.base_url, landing)
        stream = client.get_task_stream()
    made = [t for t in stream if "recap_package" in str(t["key"]) or "pull_package" in str(t["key"])]
    assert len(made) == 2 + len(PROVINCES), [t["key"] for t in stream]
    assert len({t["worker"] for t in made}) == 2, "both Dask workers made packages"
