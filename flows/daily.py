"""Flow: daily facility reports, each province's pull a task of its own (retried, at most
MAX_PARALLEL_PROVINCES at once) → load as they come (one writer) → models of the year → publish.

The API token is read from the environment by the client inside each task; it is never a flow
parameter (parameters are stored by Prefect).
"""

from datetime import date
from functools import partial
from pathlib import Path

from prefect import Task, flow, task
from prefect.states import Failed

from kbetl import runs
from kbetl.reference.tables import campaign_days
from kbetl.reports.run_summary import pull_summary
from kbetl.sources.report_api.pull import ProvincePull, pull_one_province
from kbetl.warehouse.database import database_path
from kbetl.warehouse.publish import published_path


class ProvincePullFailed(RuntimeError):
    pass


@task(retries=2, retry_delay_seconds=[10, 60], persist_result=True)
def pull(base_url: str | None, year: int, province: str, days: list[date], landing: Path) -> ProvincePull:
    """The extract step, the only one retried; its result is kept for the flow run (a flow retry reuses it)."""
    pulled = pull_one_province(base_url, year, province, days, landing)
    if pulled.status == "failed":
        raise ProvincePullFailed(pulled.error)
    return pulled


def _pull_as_task(pull_task: Task, base_url: str | None, year: int, days: list[date], landing: Path,
                  province: str) -> ProvincePull:
    """A province's pull as a task run; after its last retry, a failed pull for the loader to record."""
    outcome = pull_task(base_url, year, province, days, landing, return_state=True).result(raise_on_failure=False)
    if isinstance(outcome, BaseException):
        return ProvincePull(year, province, days, status="failed", error=str(outcome))
    return outcome


@flow(name="pull-daily-reports", log_prints=True)
def pull_daily_reports(year: int, provinces: list[str] | None = None, days: list[date] | None = None,
                       base_url: str | None = None, db: str | None = None, publish_to: str | None = None,
                       command: str = "pull", extract_retries: int = 2):
    """Pulls the given days (default: the campaign window) of the given provinces (default: all)."""
    db_path = database_path(db)
    days = days or campaign_days(year)
    pull_one = partial(_pull_as_task, pull.with_options(retries=extract_retries), base_url, year, days,
                       runs.landing_dir(db_path))
    summary = runs.pull_reports(db_path, year, provinces, days, base_url, command, pull_one=pull_one,
                                publish_to=published_path(db_path, publish_to))
    print(pull_summary(summary))
    if summary.failed:
        names = ", ".join(p.province_code for p in summary.failed)
        return Failed(message=f"provinces {names} failed after retries; the others were loaded", data=summary)
    return summary
