"""Flow: daily facility reports, each province's pull a task of its own (retried, at most
MAX_PARALLEL_PROVINCES at once) → load as they come (one writer) → models of the year → publish.

The API token is read from the environment by the client inside each task; it is never a flow
parameter (parameters are stored by Prefect). The API's address, when a run is given none, is
$KBETL_API_URL of the machine running the flow, read when it runs (a deployment's worker, not the machine
that deployed it).

On a Dask cluster ($KBETL_DASK_ADDRESS) each province is pulled on the cluster, its export landed on the
shared landing location and the rest of the pull with it as Parquet; the load reads them here.
"""

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

from prefect import Task, flow, task, unmapped
from prefect.cache_policies import DEFAULT
from prefect.runtime import task_run as current_task_run
from prefect.states import Failed

from flows import fanout, writer  # noqa: F401  (writer: every warehouse write holds the writer's slot)
from kbetl import packages, runs
from kbetl.reference.regions import provinces_of
from kbetl.reference.tables import campaign_days, check_campaign_year
from kbetl.reports.run_summary import pull_summary
from kbetl.sources.report_api.client import URL_ENV, province_deadline_s
from kbetl.sources.report_api.pull import ProvincePull, pull_one_province
from kbetl.warehouse.database import database_path
from kbetl.warehouse.publish import published_path

EXTRACT_RETRY_DELAYS_S = [10, 60]


def report_api_url(base_url: str | None) -> str | None:
    """The report API's address: the one given, else $KBETL_API_URL here and now (None when neither)."""
    return base_url or os.environ.get(URL_ENV, "").strip() or None


class ProvincePullFailed(RuntimeError):
    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry


def _worth_retrying(task, task_run, state) -> bool:
    """A failed pull is tried again only if asking again can help and the province's deadline leaves
    time for the wait and another attempt (the task decides, see `pull`)."""
    try:
        state.result()
    except ProvincePullFailed as exc:
        return exc.retry
    except Exception:  # noqa: BLE001 - anything else (a bug, a broken connection) is retried as before
        return True
    return False


def _time_for_another_attempt(deadline_at: float | None) -> bool:
    if deadline_at is None:
        return True
    delay = EXTRACT_RETRY_DELAYS_S[min(max(current_task_run.run_count, 1), len(EXTRACT_RETRY_DELAYS_S)) - 1]
    return time.time() + delay < deadline_at


# The deadline is not part of the cache key: a flow retry reuses a province already pulled.
@task(retries=2, retry_delay_seconds=EXTRACT_RETRY_DELAYS_S, retry_condition_fn=_worth_retrying,
      persist_result=True, cache_policy=DEFAULT - "deadline_at")
def pull(base_url: str | None, year: int, province: str, days: list[date], landing: Path,
         deadline_at: float | None = None) -> ProvincePull:
    """The extract step, the only one retried (within the province's deadline, deadline_at in epoch
    seconds, across attempts); its result is kept for the flow run (a flow retry reuses it)."""
    pulled = pull_one_province(base_url, year, province, days, landing, deadline_at)
    if pulled.status == "failed":
        raise ProvincePullFailed(pulled.error, retry=pulled.retryable and _time_for_another_attempt(deadline_at))
    return pulled


@task(retries=2, retry_delay_seconds=EXTRACT_RETRY_DELAYS_S, retry_condition_fn=_worth_retrying)
def pull_landed(base_url: str | None, year: int, province: str, days: list[date], landing_dir: str,
                deadline_at: float | None = None) -> str:
    """The extract step on a cluster's worker: the province pulled, its export landed in a folder of its own
    under landing_dir/exports (exports are named by their content: runs of the same year at once must not
    share one, since a load removes the export it loaded) and the rest of the pull beside it; returns where
    (a path, never the data)."""
    exports = Path(landing_dir) / "exports" / uuid.uuid4().hex
    pulled = pull.fn(base_url, year, province, days, exports, deadline_at)
    return str(packages.write_pull_package(pulled, Path(landing_dir)))


def _pull_as_task(pull_task: Task, base_url: str | None, year: int, days: list[date], landing_dir: Path,
                  province: str) -> ProvincePull:
    """A province's pull as a task run; after its last retry, a failed pull for the loader to record. The
    province's deadline (KBETL_API_DEADLINE_S) runs from here, across the task's attempts."""
    deadline_at = time.time() + province_deadline_s()
    outcome = pull_task(base_url, year, province, days, landing_dir, deadline_at,
                        return_state=True).result(raise_on_failure=False)
    if isinstance(outcome, BaseException):
        return ProvincePull(year, province, days, status="failed", error=str(outcome))
    return outcome


def pull_reports(db_path: Path, year: int, provinces: list[str] | None, days: list[date], base_url: str | None,
                 command: str, extract_retries: int, *, rebuild: str = "touched",
                 publish_to: Path | None = None) -> runs.PullSummary:
    """kbetl.runs.pull_reports with each province a task run, on this machine; on a Dask cluster, every
    province is pulled there first (each within the client's deadline per attempt), and only then loaded
    here, so that the writer's slot is not held while the cluster extracts."""
    landing_dir = fanout.cluster_landing()
    if landing_dir is None:
        pull_one = partial(_pull_as_task, pull.with_options(retries=extract_retries), base_url, year, days,
                           runs.landing_dir(db_path))
        return runs.pull_reports(db_path, year, provinces, days, base_url, command, pull_one=pull_one,
                                 rebuild=rebuild, publish_to=publish_to)
    provinces = provinces or provinces_of(year)
    futures = pull_landed.with_options(retries=extract_retries).map(
        unmapped(base_url), unmapped(year), provinces, unmapped(days), unmapped(str(landing_dir)))
    futures.wait()

    export_dirs = []

    def landed() -> Iterator[ProvincePull]:  # read one at a time, as the loader takes them
        for province, future in zip(provinces, futures):
            outcome = future.state.result(raise_on_failure=False)
            if isinstance(outcome, BaseException):
                yield ProvincePull(year, province, days, status="failed", error=str(outcome))
                continue
            pulled = packages.read_pull_package(Path(outcome))
            if pulled.export:
                export_dirs.append(pulled.export.path.parent)
            yield pulled

    summary = runs.load_pulls(db_path, landed(), command, runs.pull_parameters(year, provinces, days, base_url),
                              rebuild=rebuild, publish_to=publish_to)
    for folder in export_dirs:  # loaded and committed: the loader has removed the export itself
        shutil.rmtree(folder, ignore_errors=True)
    return summary


@flow(name="pull-daily-reports", log_prints=True, task_runner=fanout.task_runner())
def pull_daily_reports(year: int, provinces: list[str] | None = None, days: list[date] | None = None,
                       base_url: str | None = None, db: str | None = None, publish_to: str | None = None,
                       command: str = "pull", extract_retries: int = 2):
    """Pulls the given days (default: the campaign window) of the given provinces (default: all)."""
    try:
        check_campaign_year(year)
    except ValueError as exc:
        return Failed(message=str(exc))
    db_path = database_path(db)
    days = days or campaign_days(year)
    base_url = report_api_url(base_url)
    summary = pull_reports(db_path, year, provinces, days, base_url, command, extract_retries,
                           publish_to=published_path(db_path, publish_to))
    print(pull_summary(summary))
    if summary.failed:
        names = ", ".join(p.province_code for p in summary.failed)
        return Failed(message=f"provinces {names} failed after retries; the others were loaded", data=summary)
    return summary
