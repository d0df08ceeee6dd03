"""Flow: recap files → extract + validate (in parallel) → load (one writer) → transform."""

from pathlib import Path

from prefect import flow, task, unmapped
from prefect.task_runners import ThreadPoolTaskRunner

from kbetl import ingest, warehouse
from kbetl.publish import published_path
from kbetl.report import ingest_report


@task
def find_files(paths: list[str]) -> list[Path]:
    return ingest.find_recap_files([Path(p) for p in paths])


@task
def loaded_hashes(db_path: Path) -> frozenset[str]:
    return ingest.loaded_hashes(db_path)


@task
def stage(path: Path, year: int | None, region: str | None, loaded: frozenset[str]) -> ingest.StagedFile:
    return ingest.stage_recap(path, year, region, loaded)


@task
def load_and_transform(db_path: Path, staged: list[ingest.StagedFile], command: str,
                       publish_to: Path, parameters: dict) -> ingest.IngestSummary:
    return ingest.load_staged(db_path, staged, command, publish_to, parameters)


@flow(name="ingest-recaps", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=True)
def ingest_recaps(paths: list[str], year: int | None = None, region: str | None = None,
                  db: str | None = None, publish_to: str | None = None, command: str = "ingest"
                  ) -> ingest.IngestSummary:
    db_path = warehouse.database_path(db)
    files = find_files(paths)
    loaded = loaded_hashes(db_path)
    staged = [future.result() for future in stage.map(files, year, region, unmapped(loaded))]
    parameters = {"paths": paths, "year": year, "region": region}
    summary = load_and_transform(db_path, staged, command, published_path(db_path, publish_to), parameters)
    print(ingest_report(summary))
    return summary
