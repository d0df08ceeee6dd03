"""The only orchestration: ingest recap files, pull daily reports, backfill a year, rebuild and publish.

Each step has two halves. First its packages are made: each recap file read and checked, each province
pulled, and the result written to the landing location (kbetl.packages: a folder per package); then they are
loaded, in the order the step takes them, in one run of the warehouse skeleton (kbetl.warehouse.run). Who
makes the packages is the caller's choice, the one difference between callers: by default here, recap files
one at a time as the run takes them and provinces on MAX_PARALLEL_PROVINCES threads; a flow (flows/) passes
its tasks in as `make`, and its task runner decides where they run (threads, or a Dask cluster).
Progress goes out as events (kbetl.progress), sent where packages are taken, for whoever shows it.
"""

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from kbetl import progress
from kbetl.packages import (
    read_pull_package,
    read_recap_package,
    shared_landing,
    write_pull_package,
    write_recap_package,
)
from kbetl.reference.regions import provinces_of
from kbetl.reference.tables import campaign_days, campaign_days_between
from kbetl.sources.recaps.read import RecapStructureError, check_file_size
from kbetl.sources.recaps.stage import StagedFile, find_recap_files, stage_recap
from kbetl.sources.report_api.pull import ProvincePull, pull_one_province
from kbetl.warehouse import load_reports
from kbetl.warehouse.database import WarehouseError
from kbetl.warehouse.load_recaps import load_staged, loaded_hashes
from kbetl.warehouse.run import FileLoad, warehouse_run

MAX_PARALLEL_PROVINCES = 8

# Maps "make the package" over a step's inputs (recap files, provinces) and gives back, in the order they are
# to be loaded, each package's path (or a province's failed pull, which has none).
Make = Callable[[list], Iterable[Path | ProvincePull]]


@dataclass
class IngestSummary:
    run_id: str
    db_path: Path
    status: str
    results: list[FileLoad]
    refused: list[StagedFile]
    published: Path | None = None

    @property
    def kept(self) -> list[str]:
        """Regions a file lacked that keep an earlier version's figures: the officer must look."""
        return [sentence for result in self.results for sentence in result.kept]


@dataclass
class PullSummary:
    run_id: str
    pulls: list[ProvincePull]
    published: Path | None = None

    @property
    def failed(self) -> list[ProvincePull]:
        return [p for p in self.pulls if p.status == "failed"]

    @property
    def new_records(self) -> int:
        return sum(p.records_new for p in self.pulls)


@dataclass
class BackfillYear:
    year: int
    recaps: IngestSummary | None
    daily: PullSummary | None

    @property
    def failed(self) -> list[str]:
        return [p.province_code for p in self.daily.failed] if self.daily else []


# --- what a run records of what it was asked (audit.runs.parameters): built here only ----------------

def recap_parameters(paths: Iterable[Path | str], year: int | None, region: str | None, kind: str | None,
                     replace: bool) -> dict:
    return {"paths": [str(p) for p in paths], "year": year, "region": region, "kind": kind, "replace": replace}


def pull_parameters(year: int, provinces: list[str], days: list[date], base_url: str | None) -> dict:
    return {"year": year, "provinces": provinces, "days": [d.isoformat() for d in days], "base_url": base_url}


# --- packages ---------------------------------------------------------------------------------------

def landing_dir(db_path: Path) -> Path:
    """Where packages wait until they are loaded: $KBETL_LANDING when set (a location every machine of a
    cluster sees), else a folder beside the working file."""
    return shared_landing() or db_path.parent / "landing"


def recap_package(path: Path, year: int | None, region: str | None, kind: str | None, landing: Path) -> Path:
    """One recap file read and checked (refused with its sentence if it must be), written as a package."""
    return write_recap_package(stage_recap(Path(path), year, region, kind=kind), landing)


def pull_package(base_url: str | None, year: int, province: str, days: list[date], landing: Path,
                 deadline_at: float | None = None) -> Path | ProvincePull:
    """One province pulled and written as a package, its export in a folder of its own under landing/exports
    (runs of the same year at once must not share one: a load removes the export it loaded); the failed pull
    itself when it failed (nothing written)."""
    exports = landing / "exports" / uuid.uuid4().hex
    pulled = pull_one_province(base_url, year, province, days, exports, deadline_at)
    if pulled.status == "failed":
        shutil.rmtree(exports, ignore_errors=True)
        return pulled
    return write_pull_package(pulled, landing)


# --- recap files ------------------------------------------------------------------------------------

def load_recaps(db_path: Path, staged: Iterable[StagedFile], command: str, parameters: dict | None = None, *,
                rebuild: str = "touched", publish_to: Path | None = None, replace: bool = False) -> IngestSummary:
    """replace: each file replaces every earlier version of its scopes (regions only they had are dropped)."""
    with warehouse_run(db_path, command, parameters, rebuild=rebuild, publish_to=publish_to) as run:
        refused = load_staged(run, staged, replace)
    return IngestSummary(run.id, db_path, run.status, run.files, refused, run.published)


def ingest_recaps(db_path: Path, paths: list[Path], year: int | None = None, region: str | None = None,
                  command: str = "ingest", *, kind: str | None = None, rebuild: str = "touched",
                  publish_to: Path | None = None, replace: bool = False, make: Make | None = None) -> IngestSummary:
    """The files given (recursing into folders) loaded in their order, each made a package unless its bytes
    are loaded already (then counted unchanged, unread). kind ('psa', 'current_users') overrides what the
    title and headers say. By default each file is read only after the one before is loaded (memory does not
    grow with their number)."""
    files = find_recap_files([Path(p) for p in paths])
    progress.emit("files_found", count=len(files))
    make = make or partial(map, partial(recap_package, year=year, region=region, kind=kind,
                                        landing=landing_dir(db_path)))
    parameters = recap_parameters(paths, year, region, kind, replace)
    with warehouse_run(db_path, command, parameters, rebuild=rebuild, publish_to=publish_to) as run:
        loaded = loaded_hashes(run.con)
        unchanged = {path for path in files if _bytes_loaded(path, loaded)}
        packages = iter(make([path for path in files if path not in unchanged]))
        items = (StagedFile(path, unchanged=True) if path in unchanged else read_recap_package(next(packages))
                 for path in files)
        refused = load_staged(run, _taken(items), replace)
    return IngestSummary(run.id, db_path, run.status, run.files, refused, run.published)


def _bytes_loaded(path: Path, loaded: frozenset[str]) -> bool:
    """A file whose bytes the warehouse holds is not made a package again; one that staging refuses unread
    (over the size limit, unreadable) is left to staging to say so."""
    if not loaded:
        return False
    try:
        check_file_size(path)
        return hashlib.sha256(path.read_bytes()).hexdigest() in loaded
    except (RecapStructureError, OSError):
        return False


def _taken(items: Iterable[StagedFile]) -> Iterator[StagedFile]:
    for item in items:
        progress.emit("file_staged", path=item.path)
        yield item


# --- daily facility reports -------------------------------------------------------------------------

def pull_reports(db_path: Path, year: int, provinces: list[str] | None = None, days: list[date] | None = None,
                 base_url: str | None = None, command: str = "pull", *, make: Make | None = None,
                 rebuild: str = "touched", publish_to: Path | None = None) -> PullSummary:
    """Pulls the given days (default: the campaign window) of the given provinces (default: all on the
    year's map), each loaded as it arrives (one writer). By default at most MAX_PARALLEL_PROVINCES at once,
    the first ones started before the run opens the working file."""
    provinces = provinces or provinces_of(year)
    days = days or campaign_days(year)
    parameters = pull_parameters(year, provinces, days, base_url)
    pull_one = partial(pull_package, base_url, year, days=days, landing=landing_dir(db_path))
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL_PROVINCES) as pool:  # threads start only when used
        packages = (make or partial(_as_they_come, pool, pull_one))(provinces)
        exports = []
        try:
            summary = load_pulls(db_path, _pulled(packages, exports), command, parameters, rebuild=rebuild,
                                 publish_to=publish_to)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # the pulls not yet started never start
            raise
    for folder in exports:  # loaded and committed: the loader has removed each export itself
        shutil.rmtree(folder, ignore_errors=True)
    return summary


def load_pulls(db_path: Path, pulls: Iterable[ProvincePull], command: str, parameters: dict | None = None, *,
               rebuild: str = "touched", publish_to: Path | None = None) -> PullSummary:
    """Loads one campaign year's pulls as they come; a failed province fails the run (nothing published)."""
    with warehouse_run(db_path, command, parameters, rebuild=rebuild, publish_to=publish_to) as run:
        loaded = load_reports.load_pulls(run, pulls)
    return PullSummary(run.id, loaded, run.published)


def _pulled(packages: Iterable[Path | ProvincePull], exports: list[Path]) -> Iterator[ProvincePull]:
    """Each package read back as the load takes it; the folder of its export noted in exports."""
    for package in packages:
        pulled = package if isinstance(package, ProvincePull) else read_pull_package(package)
        if pulled.export is not None:
            exports.append(pulled.export.path.parent)
        progress.emit("province_pulled", pull=pulled)
        yield pulled


def _as_they_come(pool: ThreadPoolExecutor, pull_one: Callable[[str], Path | ProvincePull],
                  provinces: list[str]) -> Iterator[Path | ProvincePull]:
    """Pulls in completion order, never more than MAX_PARALLEL_PROVINCES in flight or waiting to be loaded.
    The first ones are submitted at once (before the caller iterates: while it opens the working database)."""
    queue, pending = list(provinces), set()

    def fill() -> None:
        while queue and len(pending) < MAX_PARALLEL_PROVINCES:
            pending.add(pool.submit(pull_one, queue.pop(0)))

    def completed() -> Iterator[Path | ProvincePull]:
        nonlocal pending
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
            fill()

    fill()
    return completed()


# --- backfill ---------------------------------------------------------------------------------------

class NothingToBackfill(WarehouseError):
    pass


def check_backfill_sources(year: int, recap_dir: Path | None, base_url: str | None) -> None:
    """A year with neither its recap folder nor a report API would load nothing: a failure, never a success."""
    if base_url is not None or (recap_dir is not None and (recap_dir / str(year)).is_dir()):
        return
    recaps = (f"folder rekap {recap_dir / str(year)} tidak ada" if recap_dir is not None
              else "tidak ada folder rekap (--recap-dir)")
    raise NothingToBackfill(f"tidak ada yang dapat dimuat: {recaps} dan alamat API laporan tidak diberikan "
                            f"(--api-url atau $KBETL_API_URL di mesin yang menjalankannya)")


def backfill_year(db_path: Path, year: int, provinces: list[str] | None, recap_dir: Path | None,
                  base_url: str | None, *, rebuild: str = "touched",
                  ingest_step: Callable[..., IngestSummary] | None = None,
                  pull_step: Callable[..., PullSummary] | None = None) -> BackfillYear:
    """One year on its own map: its archived recaps (recap_dir/<year>/), then its provinces' reports. A flow
    passes its own steps (ingest_recaps's and pull_reports's arguments after db_path) to make them its tasks."""
    ingest_step = ingest_step or partial(ingest_recaps, db_path)
    pull_step = pull_step or partial(pull_reports, db_path)
    check_backfill_sources(year, recap_dir, base_url)
    progress.emit("year_started", year=year, provinces=len(provinces or provinces_of(year)) if base_url else 0)
    recaps = None
    if recap_dir is not None and (recap_dir / str(year)).is_dir():
        recaps = ingest_step([recap_dir / str(year)], year, None, "backfill", rebuild=rebuild)
    daily = None
    if base_url is not None:
        daily = pull_step(year, provinces, campaign_days(year), base_url, "backfill", rebuild=rebuild)
    result = BackfillYear(year, recaps, daily)
    progress.emit("year_finished", result=result)
    return result


def rebuild_and_publish(db_path: Path, command: str, publish_to: Path | None) -> Path | None:
    """Every model rebuilt from what is loaded; published when publish_to is given."""
    with warehouse_run(db_path, command, rebuild="all", publish_to=publish_to) as run:
        pass
    return run.published


def backfill(db_path: Path, years: Iterable[int], provinces: list[str] | None, recap_dir: Path | None,
             base_url: str | None, publish_to: Path | None, *,
             year_step: Callable[[int], BackfillYear] | None = None) -> tuple[list[str], Path | None]:
    """Years one after another, each committing as it goes; then every model rebuilt once, and published
    if no year failed. Returns (what failed, the published file). Run again, it finishes what failed."""
    year_step = year_step or (lambda y: backfill_year(db_path, y, provinces, recap_dir, base_url, rebuild="none"))
    failed = []
    for year in sorted(years):
        try:
            result = year_step(year)
        except Exception as exc:  # a year that fails leaves the others; the run reports it
            failed.append(f"{year}: {exc}")
            progress.emit("year_failed", year=year, error=str(exc))
            continue
        if result.failed:
            failed.append(f"{year}: provinsi {', '.join(result.failed)} gagal")
    published = rebuild_and_publish(db_path, "backfill", None if failed else publish_to)
    return failed, published


# --- the nightly day -------------------------------------------------------------------------------

@dataclass
class NightlyDay:
    windows: dict[int, list[date]]  # campaign year → its days pulled
    run_ids: list[str]
    failed: list[str]

    @property
    def latest_year(self) -> int | None:
        return max(self.windows, default=None)


def nightly_day(db_path: Path, run_date: date, lookback_days: int, provinces: list[str] | None,
                recap_dir: str | None, base_url: str | None, publish_to: Path | None, *,
                ingest_step: Callable[..., IngestSummary] | None = None,
                pull_step: Callable[..., PullSummary] | None = None) -> NightlyDay:
    """Recap files dropped in recap_dir, then the daily reports of run_date and of the look-back days that
    fall in a campaign (late reports and corrections)."""
    ingest_step = ingest_step or partial(ingest_recaps, db_path, publish_to=publish_to)
    pull_step = pull_step or partial(pull_reports, db_path, base_url=base_url, publish_to=publish_to)
    day = NightlyDay(campaign_days_between(run_date - timedelta(days=lookback_days), run_date), [], [])
    if recap_dir:
        day.run_ids.append(ingest_step(paths=[recap_dir], command="nightly").run_id)
    for year, days in day.windows.items():
        try:
            summary = pull_step(year=year, provinces=provinces, days=days, command="nightly")
        except Exception as exc:
            day.failed.append(f"{year}: {exc}")
            continue
        day.run_ids.append(summary.run_id)
        if summary.failed:
            names = ", ".join(p.province_code for p in summary.failed)
            day.failed.append(f"{year}: provinces {names} failed after retries; the others were loaded")
    return day


def parse_years(text: str) -> list[int]:
    """'2020-2024' or '2020,2022' → [2020, …]."""
    years = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        years += range(int(first), int(last or first) + 1)
    return sorted(set(years))
