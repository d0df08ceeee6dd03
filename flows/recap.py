"""Flow: recap files → each made a package by a task of its own (read, checked, written to the landing
location), where the flow's task runner puts it → loaded in one run (kbetl.runs) → models of the years
touched, publish."""

from collections.abc import Iterator
from pathlib import Path

from prefect import flow, task

from flows import fanout, writer  # noqa: F401  (writer: every warehouse write holds the writer's slot)
from kbetl import runs
from kbetl.reports.run_summary import ingest_summary
from kbetl.warehouse.database import database_path
from kbetl.warehouse.publish import published_path


@task
def recap_package(path: str, year: int | None, region: str | None, kind: str | None, landing: str) -> str:
    """One file read, checked and written as a package; returns where (a path, never the data)."""
    return str(runs.recap_package(Path(path), year, region, kind, Path(landing)))


def recap_packages(files: list[Path], year: int | None, region: str | None, kind: str | None,
                   landing: Path) -> Iterator[Path]:
    """The files' tasks started ahead of the loader; the packages given back in the files' order."""
    def submit(file: Path):
        return recap_package.submit(str(file), year, region, kind, str(landing))

    return (Path(future.result()) for future in fanout.ahead_of_the_loader(submit, files, in_order=True))


def ingest_files(db_path: Path, paths: list[Path | str], year: int | None = None, region: str | None = None,
                 command: str = "ingest", *, kind: str | None = None, rebuild: str = "touched",
                 publish_to: Path | None = None, replace: bool = False) -> runs.IngestSummary:
    """kbetl.runs.ingest_recaps (its arguments) with each file's package made by a task of this flow run."""
    def make(files: list[Path]) -> Iterator[Path]:
        return recap_packages(files, year, region, kind, runs.landing_dir(db_path))

    return runs.ingest_recaps(db_path, [Path(p) for p in paths], year, region, command, kind=kind, rebuild=rebuild,
                              publish_to=publish_to, replace=replace, make=make)


@flow(name="ingest-recaps", log_prints=True, task_runner=fanout.RunnerOfTheRun())
def ingest_recaps(paths: list[str], year: int | None = None, region: str | None = None,
                  db: str | None = None, publish_to: str | None = None, command: str = "ingest",
                  kind: str | None = None, replace: bool = False) -> runs.IngestSummary:
    """kind: 'psa' or 'current_users' for every file (default: what each file's headers say). replace: each
    file replaces the earlier versions of its scopes whole (regions only they had are dropped)."""
    db_path = database_path(db)
    summary = ingest_files(db_path, paths, year, region, command, kind=kind,
                           publish_to=published_path(db_path, publish_to), replace=replace)
    print(ingest_summary(summary))
    return summary
