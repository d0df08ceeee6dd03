"""Backfill: idempotent, resumable after being killed, each year on the map of its own year."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl.runs import backfill_year
from kbetl.sources.report_api.client import TOKEN_ENV
from tests.helpers.warehouse import SAMPLE_DIR, marts_snapshot, query

YEARS = [2020, 2021, 2022, 2023]
TOKEN = "backfill-token"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Archived recaps of Bengkulu, one folder per year."""
    root = tmp_path_factory.mktemp("archive")
    for year in YEARS:
        (root / str(year)).mkdir()
        for path in (SAMPLE_DIR / str(year)).glob("17_*"):
            shutil.copy(path, root / str(year))
    return root


@pytest.fixture(scope="module")
def facility_data():
    return generate_facility_data(YEARS, ["17"], scale=0.2)


def run_backfill_command(db: Path, archive: Path, api_url: str) -> subprocess.Popen:
    kbetl = Path(sys.executable).parent / "kbetl"
    return subprocess.Popen([kbetl, "backfill", "--years", "2020-2023", "--provinces", "17", "--recap-dir",
                             str(archive), "--api-url", api_url, "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, TOKEN_ENV: TOKEN})


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, archive, facility_data) -> tuple[Path, list, dict]:
    """A backfill of every year, one after the other, never interrupted: (its file, its results by year, its
    marts)."""
    db = tmp_path_factory.mktemp("uninterrupted") / "w.duckdb"
    with pytest.MonkeyPatch.context() as mp, running_server(facility_data, TOKEN) as server:
        mp.setenv(TOKEN_ENV, TOKEN)
        results = [backfill_year(db, y, ["17"], archive, server.base_url) for y in YEARS]
    return db, results, marts_snapshot(db)


def test_backfill_twice_gives_the_same_warehouse(tmp_path, archive, facility_data, uninterrupted, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    db = tmp_path / "w.duckdb"
    shutil.copyfile(uninterrupted[0], db)
    first, before = uninterrupted[1], uninterrupted[2]
    with running_server(facility_data, TOKEN) as server:
        second = [backfill_year(db, y, ["17"], archive, server.base_url) for y in YEARS]
    assert [r.status for y in first for r in y.recaps.results] == ["loaded"] * 4
    assert [r.status for y in second for r in y.recaps.results] == ["unchanged"] * 4
    assert [y.daily.new_records for y in second] == [0, 0, 0, 0]
    assert marts_snapshot(db) == before
    provinces = dict(query(db, "select campaign_year, map_version from marts.achievement where region_code = '17'"))
    assert provinces == {2020: "34", 2021: "34", 2022: "34", 2023: "38"}


@pytest.mark.prefect  # `kbetl backfill` runs the backfill flow
def test_backfill_killed_in_its_third_year_and_run_again_ends_as_an_uninterrupted_one(tmp_path, archive,
                                                                                        facility_data, uninterrupted):
    interrupted = tmp_path / "interrupted.duckdb"
    with running_server(facility_data, TOKEN) as server:
        server.faults = Faults(delay_s=0.4)  # slow enough that the third year is still running when killed
        process = run_backfill_command(interrupted, archive, server.base_url)
        seen = []
        for line in process.stdout:
            seen.append(line.strip())
            if line.startswith("backfill 2022: started"):
                os.killpg(process.pid, signal.SIGKILL)  # the command and its temporary Prefect server
                break
        process.wait(timeout=30)
        assert process.returncode != 0 and "backfill 2021: done" in "\n".join(seen)
        assert query(interrupted, "select distinct campaign_year from staging.daily_records order by 1") == [
            (2020,), (2021,)], "killed before the third year loaded"

        server.faults = Faults()
        resumed = run_backfill_command(interrupted, archive, server.base_url)
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, err
        assert "backfill 2020: done; 0 recap files loaded, 0 new facility records" in out
        statuses = [s for (s,) in query(interrupted, "select status from audit.runs")]
        assert "running" not in statuses, "a run the kill cut short is marked dead by the next one"
    assert marts_snapshot(interrupted) == uninterrupted[2]
    assert (tmp_path / "interrupted-published.duckdb").exists()
