"""Flow: daily facility reports, each province pulled and made a package by a task of its own (retried),
where the flow's task runner puts it → loaded in one run as they come (kbetl.runs; one writer) → models of
the year → publish.

The API token is read from the environment by the client inside each task; it is never a flow
parameter (parameters are stored by Prefect). The API's address, when a run is given none, is
$KBETL_API_URL of the machine running the flow, read when it runs (a deployment's worker, not the machine
that deployed it).
"""

import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.context import TaskRunContext
from prefect.runtime import task_run as current_task_run
from prefect.states import Failed

from flows import fanout, writer  # noqa: F401  (writer: every warehouse write holds the writer's slot)
from kbetl import runs
from kbetl.reference.tables import campaign_days, check_campaign_year
from kbetl.reports.run_summary import pull_summary
from kbetl.sources.report_api.client import URL_ENV, province_deadline_s
from kbetl.sources.report_api.pull import ProvincePull
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
    time for the wait and another attempt (the task decides, see `pull_package`)."""
    try:
        state.result()
    except ProvincePullFailed as exc:
        return exc.retry
    except Exception:  # noqa: BLE001 - anything else (a bug, a broken connection) is retried as before
        return True
    return False


def _time_for_another_attempt(deadline_at: float) -> bool:
    delay = EXTRACT_RETRY_DELAYS_S[min(max(current_task_run.run_count, 1), len(EXTRACT_RETRY_DELAYS_S)) - 1]
    return time.time() + delay < deadline_at


@task(retries=2, retry_delay_seconds=EXTRACT_RETRY_DELAYS_S, retry_condition_fn=_worth_retrying)
def pull_package(base_url: str | None, year: int, province: str, days: list[date], landing: str,
                 deadline_s: float) -> str:
    """The extract step, the only one retried: the province pulled and made a package (kbetl.runs.pull_package);
    returns where (a path, never the data). The province's deadline (deadline_s, KBETL_API_DEADLINE_S where
    the flow runs) counts from the task's first attempt, across its retries, wherever it runs."""
    deadline_at = TaskRunContext.get().task_run.start_time.timestamp() + deadline_s
    made = runs.pull_package(base_url, year, province, days, Path(landing), deadline_at)
    if isinstance(made, ProvincePull):
        raise ProvincePullFailed(made.error, retry=made.retryable and _time_for_another_attempt(deadline_at))
    return str(made)


def pull_packages(provinces: list[str], year: int, days: list[date], base_url: str | None, landing: Path,
                  extract_retries: int) -> Iterator[Path | ProvincePull]:
    """The provinces' tasks started ahead of the loader; their packages given back as they are made, and after
    its last retry a failed province as a failed pull, for the loader to record."""
    pull = pull_package.with_options(retries=extract_retries)
    deadline_s = province_deadline_s()
    province_of = {}

    def submit(province: str):
        future = pull.submit(base_url, year, province, days, str(landing), deadline_s)
        province_of[future.task_run_id] = province
        return future

    def made(future) -> Path | ProvincePull:
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, BaseException):
            return ProvincePull(year, province_of[future.task_run_id], days, status="failed", error=str(outcome))
        return Path(outcome)

    return map(made, fanout.ahead_of_the_loader(submit, provinces, in_order=False))


def pull_reports(db_path: Path, year: int, provinces: list[str] | None, days: list[date], base_url: str | None,
                 command: str, extract_retries: int, *, rebuild: str = "touched",
                 publish_to: Path | None = None) -> runs.PullSummary:
    """kbetl.runs.pull_reports (its arguments) with each province's package made by a task of this flow run."""
    def make(chosen: list[str]) -> Iterator[Path | ProvincePull]:
        return pull_packages(chosen, year, days, base_url, runs.landing_dir(db_path), extract_retries)

    return runs.pull_reports(db_path, year, provinces, days, base_url, command, make=make, rebuild=rebuild,
                             publish_to=publish_to)


@flow(name="pull-daily-reports", log_prints=True, task_runner=fanout.RunnerOfTheRun())
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
