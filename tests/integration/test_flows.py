"""Real Prefect flow runs (on the tests' Prefect server, tests/helpers/prefect_server.py)."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers.warehouse import SAMPLE_DIR, query

pytestmark = pytest.mark.prefect

BENGKULU_2022 = SAMPLE_DIR / "2022" / "17_bengkulu.csv"


def test_ingest_flow_run_completes_and_fills_the_marts(db, monkeypatch):
    """A year's folder through the flow, its loader slower than the tasks that make the packages: every file's
    package still reaches the loader in memory (the tasks run at most packages.KEPT ahead of it), none is
    decoded again from its files."""
    import time

    from flows.recap import ingest_recaps
    from kbetl import packages, runs

    decoded, decode, taken = [], packages._decode, runs._taken
    monkeypatch.setattr(packages, "_decode", lambda tree, folder: decoded.append(folder) or decode(tree, folder))
    monkeypatch.setattr(runs, "_taken", lambda items: (time.sleep(0.2) or item for item in taken(items)))
    files = sorted(BENGKULU_2022.parent.glob("*.*"))
    assert len(files) > 2 * packages.KEPT
    state = ingest_recaps([str(BENGKULU_2022.parent)], db=str(db), return_state=True)
    assert state.is_completed(), state.message
    summary = state.result()
    assert [r.status for r in summary.results] == ["loaded"] * len(files)
    assert decoded == []
    assert str(query(db, "select achievement_pct from marts.achievement where region_code = '17'")[0][0]) == "144.40"
    assert query(db, "select status, files_loaded from audit.runs") == [("succeeded", len(files))]


def test_ingest_command_exits_nonzero_when_a_file_is_refused(db, tmp_path):
    broken = tmp_path / "rusak.csv"
    broken.write_text("bukan rekap\n")
    kbetl = Path(sys.executable).parent / "kbetl"
    result = subprocess.run([kbetl, "ingest", str(BENGKULU_2022), str(broken), "--db", str(db)],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=300)
    assert result.returncode == 1, result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert "1 berkas dimuat, 0 tidak berubah, 1 ditolak" in output
    assert "ditolak: rusak.csv: tidak ada baris judul kolom dengan kolom wilayah" in output
    assert query(db, "select count(*) from marts.achievement where campaign_year = 2022")[0][0] == 12


def test_daily_flow_run_loads_the_provinces_that_answer_and_ends_failed_for_the_one_down(db, monkeypatch):
    from devtools.generate.facilities import generate_facility_data
    from devtools.report_api_server import Faults, running_server
    from flows.daily import pull_daily_reports
    from kbetl.sources.report_api.client import TOKEN_ENV

    monkeypatch.setenv(TOKEN_ENV, "flow-token")
    data = generate_facility_data([2024], ["17", "63"], scale=0.1)
    with running_server(data, "flow-token", faults=Faults(down_provinces=["17"])) as server:
        state = pull_daily_reports(2024, ["17", "63"], base_url=server.base_url, db=str(db), extract_retries=0,
                                   return_state=True)
    assert state.is_failed()
    assert "provinces 17 failed after retries; the others were loaded" in state.message
    assert query(db, "select province_code, status from audit.api_pulls order by 1") == [
        ("17", "failed"), ("63", "loaded")]
    assert query(db, "select count(*) > 0 from marts.daily_progress where region_code = '63'") == [(True,)]


def test_backfill_flow_run_rebuilds_years_and_publishes(db, tmp_path):
    import shutil

    from flows.backfill import backfill

    for year in (2021, 2022):
        (tmp_path / "arsip" / str(year)).mkdir(parents=True)
        shutil.copy(next((SAMPLE_DIR / str(year)).glob("63_*")), tmp_path / "arsip" / str(year))
    state = backfill([2022, 2021], recap_dir=str(tmp_path / "arsip"), db=str(db), return_state=True)
    assert state.is_completed(), state.message
    published = state.result()
    assert query(published, "select campaign_year, achievement_pct from marts.achievement "
                            "where region_code = '63' order by 1") == [(2021, Decimal("126.52")),
                                                                       (2022, Decimal("106.05"))]

