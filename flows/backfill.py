"""Flow: backfill past campaign years, one step per year (each commits as it goes), then every model
rebuilt once and the analyst file published.

A year's packages are made by tasks of the backfill's flow run, wherever its task runner puts them (threads,
or a Dask cluster), and loaded here. Given `year_deployment` (the deployment of `backfill-year` on the
writer's work pool), the years are flow runs of that deployment instead, all started at once, taken by
whichever workers of the pool are free, their writes queued by the writer's limit. Without base_url, each
year pulls from $KBETL_API_URL of the machine running it; a year with neither its recap folder nor an API
fails (it would load nothing).
"""

import time
from functools import partial
from pathlib import Path

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment

from flows import fanout, writer  # noqa: F401  (writer: every warehouse write holds the writer's slot)
from flows.daily import pull_reports, report_api_url
from flows.recap import ingest_files
from kbetl import runs
from kbetl.warehouse.database import WarehouseError, database_path
from kbetl.warehouse.publish import published_path

YEAR_FLOW = "backfill-year"
WAIT_POLL_S = 2


class BackfillIncomplete(WarehouseError):
    pass


def one_year(db_path: Path, year: int, provinces: list[str] | None, recap_dir: str | None, base_url: str | None,
             extract_retries: int = 2) -> runs.BackfillYear:
    """kbetl.runs.backfill_year, loaded and not rebuilt (the backfill rebuilds once, at its end), its packages
    made by tasks of the flow run it is called in."""
    return runs.backfill_year(db_path, year, provinces, Path(recap_dir) if recap_dir else None,
                              report_api_url(base_url), rebuild="none", ingest_step=partial(ingest_files, db_path),
                              pull_step=partial(pull_reports, db_path, extract_retries=extract_retries))


@flow(name=YEAR_FLOW, log_prints=True, task_runner=fanout.RunnerOfTheRun())
def backfill_one_year(year: int, provinces: list[str] | None = None, recap_dir: str | None = None,
                      base_url: str | None = None, db: str | None = None, extract_retries: int = 2) -> None:
    """One year of a backfill as a flow run of its own (the deployment's step): its archived recaps
    (recap_dir/<year>/), then its provinces' reports."""
    result = one_year(database_path(db), year, provinces, recap_dir, base_url, extract_retries)
    if result.failed:
        raise RuntimeError(f"provinces {', '.join(result.failed)} failed")


def _years_as_flow_runs(deployment: str, years: list[int], parameters: dict):
    """Starts every year as a flow run of the deployment; the step for a year waits for its run to end."""
    launched = {year: run_deployment(deployment, parameters={**parameters, "year": year}, timeout=0)
                for year in years}

    def year_step(year: int) -> runs.BackfillYear:
        with get_client(sync_client=True) as client:
            while not (state := client.read_flow_run(launched[year].id).state) or not state.is_final():
                time.sleep(WAIT_POLL_S)
        if not state.is_completed():
            raise RuntimeError(f"flow run {launched[year].name} berakhir {state.type.value.lower()}: {state.message}")
        return runs.BackfillYear(year, None, None)

    return year_step


@flow(name="backfill", log_prints=True, task_runner=fanout.RunnerOfTheRun())
def backfill(years: list[int], provinces: list[str] | None = None, recap_dir: str | None = None,
             base_url: str | None = None, db: str | None = None, publish_to: str | None = None,
             year_deployment: str | None = None) -> Path:
    db_path = database_path(db)
    if year_deployment:  # each year's run takes the API's address from its own worker when none is given
        year_step = _years_as_flow_runs(year_deployment, sorted(years), {
            "provinces": provinces, "recap_dir": recap_dir, "base_url": base_url, "db": db})
    else:
        base_url = report_api_url(base_url)
        year_step = partial(one_year, db_path, provinces=provinces, recap_dir=recap_dir, base_url=base_url)
    failed, published = runs.backfill(db_path, years, provinces, Path(recap_dir) if recap_dir else None, base_url,
                                      published_path(db_path, publish_to), year_step=year_step)
    if failed:
        raise BackfillIncomplete("pengisian ulang belum selesai (yang berhasil tetap tersimpan; jalankan lagi "
                                 "untuk menyelesaikannya): " + "; ".join(failed))
    print(f"backfill of {', '.join(map(str, sorted(years)))} complete; published {published}")
    return published
