"""Flow: pull daily facility reports per province (in parallel, bounded) → load (one writer) → transform.

The API token is read from the environment by the client inside each task; it is never a flow
parameter (parameters are stored by Prefect).
"""

from datetime import date
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from kbetl import warehouse
from kbetl.daily import ProvincePull, pull_province
from kbetl.extract.report_api import ReportApiClient
from kbetl.publish import published_path
from kbetl.pull import DailySummary, landing_dir, load_pulls
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import campaign_days, region_map_for_year

MAX_PARALLEL_PROVINCES = 8


class ProvincePullFailed(RuntimeError):
    pass


@task(retries=2, retry_delay_seconds=[10, 60], persist_result=True)
def pull(base_url: str | None, year: int, province: str, days: list[date], landing: Path) -> ProvincePull:
    """The extract step, the only one retried; its result is kept for the flow run (a flow retry reuses it)."""
    client = ReportApiClient(base_url)
    try:
        pulled = pull_province(client, year, province, days, landing)
    finally:
        client.close()
    if pulled.status == "failed":
        raise ProvincePullFailed(pulled.error)
    return pulled


@task
def load_and_transform(db_path: Path, pulls: list[ProvincePull], command: str, publish_to: Path,
                       parameters: dict) -> DailySummary:
    return load_pulls(db_path, pulls, command, publish_to, parameters)


@flow(name="pull-daily-reports", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_PROVINCES),
      log_prints=True)
def pull_daily_reports(year: int, provinces: list[str] | None = None, days: list[date] | None = None,
                       base_url: str | None = None, db: str | None = None, publish_to: str | None = None,
                       command: str = "pull", extract_retries: int = 2):
    """Pulls the given days (default: the campaign window) of the given provinces (default: all)."""
    if provinces is None:
        regions = regions_on_map(region_map_for_year(year))
        provinces = regions.loc[regions["level"] == "province", "region_code"].tolist()
    days = days or campaign_days(year)
    db_path = warehouse.database_path(db)
    futures = pull.with_options(retries=extract_retries).map(unmapped(base_url), year, provinces, unmapped(days),
                                                             unmapped(landing_dir(db_path)))
    pulls = []
    for province, future in zip(provinces, futures):
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, BaseException):
            outcome = ProvincePull(year, province, days, status="failed", error=str(outcome))
        pulls.append(outcome)
    parameters = {"year": year, "provinces": provinces, "days": [d.isoformat() for d in days], "base_url": base_url}
    summary = load_and_transform(db_path, pulls, command, published_path(db_path, publish_to), parameters)
    print(summary.report())
    if summary.failed:
        names = ", ".join(p.province_code for p in summary.failed)
        return Failed(message=f"provinces {names} failed after retries; the others were loaded", data=summary)
    return summary
