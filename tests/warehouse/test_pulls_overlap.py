"""The first pulls of a year start before the working database is opened (they overlap with opening it and
writing the reference tables); if the run cannot start, the pulls not yet started never start."""

import threading
from datetime import date

import pytest

from kbetl import runs
from kbetl.runs import MAX_PARALLEL_PROVINCES, pull_reports
from kbetl.sources.report_api.pull import ProvincePull
from kbetl.warehouse.database import WarehouseUnwritable


def test_pulls_start_before_the_database_opens_and_stop_when_it_cannot(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    started, release = [], threading.Event()

    def pull_package(base_url, year, province, days, landing) -> ProvincePull:
        started.append(province)
        release.wait(10)
        return ProvincePull(year, province, days, status="failed", error="not asked")

    monkeypatch.setattr(runs, "pull_package", pull_package)  # the package a province's pull makes
    provinces = [f"{code}" for code in range(11, 31)]
    timer = threading.Timer(0.5, release.set)  # the run fails at once; the pulls in flight finish later
    timer.start()
    with pytest.raises(WarehouseUnwritable) as failed:
        pull_reports(blocker / "work.duckdb", 2024, provinces, [date(2024, 6, 4)])
    timer.cancel()
    assert "work.duckdb tidak dapat dibuka untuk ditulis" in str(failed.value)
    assert sorted(started) == provinces[:MAX_PARALLEL_PROVINCES], "the first wave started; the rest never did"
