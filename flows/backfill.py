"""Flow: backfill past campaign years, one after another (each commits as it goes), then publish."""

from pathlib import Path

from prefect import flow, task

from kbetl import warehouse
from kbetl.backfill import YearResult, backfill_year, rebuild_models
from kbetl.load import new_run_id
from kbetl.publish import publish_working, published_path


@task
def backfill_one_year(db_path: Path, year: int, provinces: list[str] | None, recap_dir: str | None,
                      base_url: str | None) -> YearResult:
    return backfill_year(db_path, year, provinces, Path(recap_dir) if recap_dir else None, base_url,
                         transform=False)


@task
def rebuild(db_path: Path) -> None:
    rebuild_models(db_path)


@flow(name="backfill", log_prints=True)
def backfill(years: list[int], provinces: list[str] | None = None, recap_dir: str | None = None,
             base_url: str | None = None, db: str | None = None, publish_to: str | None = None):
    db_path = warehouse.database_path(db)
    failed = []
    for year in sorted(years):
        state = backfill_one_year(db_path, year, provinces, recap_dir, base_url, return_state=True)
        result = state.result(raise_on_failure=False)
        if not state.is_completed():
            failed.append(f"{year}: {state.message}")
        elif result.failed:
            failed.append(f"{year}: provinces {', '.join(result.failed)} failed")
        print(f"backfill {year}: {'failed' if failed and failed[-1].startswith(str(year)) else 'done'}")
    rebuild(db_path)
    if failed:
        raise RuntimeError("backfill incomplete (what succeeded is kept; run again to finish): " + "; ".join(failed))
    return publish_working(db_path, published_path(db_path, publish_to), new_run_id())
