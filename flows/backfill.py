"""Flow: backfill past campaign years, one task per year (each commits as it goes), then every model
rebuilt once and the analyst file published."""

from pathlib import Path

from prefect import flow, task

from kbetl import runs
from kbetl.warehouse.database import database_path
from kbetl.warehouse.publish import published_path


@task
def backfill_year(db_path: Path, year: int, provinces: list[str] | None, recap_dir: str | None,
                  base_url: str | None) -> runs.BackfillYear:
    return runs.backfill_year(db_path, year, provinces, Path(recap_dir) if recap_dir else None, base_url,
                              rebuild="none")


@flow(name="backfill", log_prints=True)
def backfill(years: list[int], provinces: list[str] | None = None, recap_dir: str | None = None,
             base_url: str | None = None, db: str | None = None, publish_to: str | None = None) -> Path:
    db_path = database_path(db)
    failed, published = runs.backfill(
        db_path, years, provinces, Path(recap_dir) if recap_dir else None, base_url,
        published_path(db_path, publish_to),
        year_step=lambda year: backfill_year(db_path, year, provinces, recap_dir, base_url))
    if failed:
        raise RuntimeError("backfill incomplete (what succeeded is kept; run it again to finish): "
                           + "; ".join(failed))
    print(f"backfill of {', '.join(map(str, sorted(years)))} complete; published {published}")
    return published
