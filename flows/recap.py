"""Flow: recap files → read and check (no warehouse) → load, models of the years touched, publish."""

from pathlib import Path

from prefect import flow, task

from kbetl import runs
from kbetl.reports.run_summary import ingest_summary
from kbetl.sources.recaps.stage import StagedFile
from kbetl.warehouse.database import database_path
from kbetl.warehouse.publish import published_path


@task
def stage(db_path: Path, paths: list[str], year: int | None, region: str | None) -> list[StagedFile]:
    return runs.stage(db_path, [Path(p) for p in paths], year, region)


@task
def load(db_path: Path, staged: list[StagedFile], command: str, parameters: dict,
         publish_to: Path) -> runs.IngestSummary:
    return runs.load_recaps(db_path, staged, command, parameters, publish_to=publish_to)


@flow(name="ingest-recaps", log_prints=True)
def ingest_recaps(paths: list[str], year: int | None = None, region: str | None = None,
                  db: str | None = None, publish_to: str | None = None, command: str = "ingest"
                  ) -> runs.IngestSummary:
    db_path = database_path(db)
    staged = stage(db_path, paths, year, region)
    summary = load(db_path, staged, command, {"paths": paths, "year": year, "region": region},
                   published_path(db_path, publish_to))
    print(ingest_summary(summary))
    return summary
