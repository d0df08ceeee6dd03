"""Backfilling past campaigns: for each year, its archived recap files and its facility reports from
the report API, each year on the map of its own year.

Years run one after another and each commits as it goes, so a year that fails leaves the years before
it in place, and running the backfill again skips recap files whose content hash is already loaded and
record versions already stored, finishing the rest with the same result.
"""

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from kbetl.daily import ProvincePull, pull_province
from kbetl.extract.report_api import ReportApiClient
from kbetl.ingest import IngestSummary, find_recap_files, load_staged, loaded_hashes, stage_recaps
from kbetl.pull import DailySummary, landing_dir, load_pulls
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import campaign_days, region_map_for_year

MAX_PARALLEL_PROVINCES = 8


@dataclass
class YearResult:
    year: int
    recaps: IngestSummary | None
    daily: DailySummary | None

    @property
    def failed(self) -> list[str]:
        return [p.province_code for p in self.daily.failed] if self.daily else []


def parse_years(text: str) -> list[int]:
    """'2020-2024' or '2020,2022' → [2020, …]."""
    years = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        years += range(int(first), int(last or first) + 1)
    return sorted(set(years))


def provinces_of(year: int) -> list[str]:
    regions = regions_on_map(region_map_for_year(year))
    return regions.loc[regions["level"] == "province", "region_code"].tolist()


def backfill_year(db_path: Path, year: int, provinces: list[str] | None, recap_dir: Path | None,
                  base_url: str | None, on_province: Callable[[ProvincePull], None] = lambda p: None,
                  transform: bool = True) -> YearResult:
    """One year: its recaps, then its provinces pulled (at most 8 at once) and each loaded as it arrives.
    A backfill of several years passes transform=False and rebuilds the models once, at its end."""
    recaps = None
    if recap_dir is not None and (recap_dir / str(year)).is_dir():
        known = loaded_hashes(db_path)
        staged = stage_recaps(find_recap_files([recap_dir / str(year)]), year, known)
        recaps = load_staged(db_path, staged, "backfill", parameters={"year": year, "recap_dir": str(recap_dir)},
                             transform=transform)
    daily = None
    if base_url is not None:
        days = campaign_days(year)
        wanted = provinces or provinces_of(year)

        def pull_one(province: str) -> ProvincePull:
            client = ReportApiClient(base_url)
            try:
                pulled = pull_province(client, year, province, days, landing_dir(db_path))
            finally:
                client.close()
            on_province(pulled)
            return pulled

        with ThreadPoolExecutor(max_workers=MAX_PARALLEL_PROVINCES) as pool:
            daily = load_pulls(db_path, _as_they_come(pool, pull_one, wanted), "backfill",
                               parameters={"year": year, "provinces": wanted}, transform=transform)
    return YearResult(year, recaps, daily)


def rebuild_models(db_path: Path) -> None:
    from kbetl import load, warehouse
    from kbetl.transform import run_transforms

    con = warehouse.connect(db_path)
    try:
        load.load_reference(con)
        run_transforms(con)
        con.execute("checkpoint")
    finally:
        con.close()


def _as_they_come(pool: ThreadPoolExecutor, pull_one, provinces: list[str]):
    """Pulls in completion order, never more than the pool's width in flight or waiting to be loaded."""
    pending, queue = set(), list(provinces)
    while queue or pending:
        while queue and len(pending) < MAX_PARALLEL_PROVINCES:
            pending.add(pool.submit(pull_one, queue.pop(0)))
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()
