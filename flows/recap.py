"""Flow: recap files → each read, checked and loaded in turn (kbetl.runs) → models of the years touched, publish.

On a Dask cluster ($KBETL_DASK_ADDRESS) each file is read and checked by a task of its own on the cluster,
which lands the result as validated Parquet on the shared landing location; the load reads it here."""

from collections.abc import Iterator
from pathlib import Path

from prefect import flow, task, unmapped

from flows import fanout, writer  # noqa: F401  (writer: every warehouse write holds the writer's slot)
from kbetl import packages, runs
from kbetl.reports.run_summary import ingest_summary
from kbetl.sources.recaps.stage import StagedFile, find_recap_files, stage_recap
from kbetl.warehouse.database import database_path
from kbetl.warehouse.publish import published_path


@task
def stage_landed(path: str, year: int | None, region: str | None, kind: str | None, landing_dir: str) -> str:
    """One file read and checked (on a cluster's worker), landed; returns where."""
    return str(packages.write_recap_package(stage_recap(Path(path), year, region, kind=kind), Path(landing_dir)))


def stage_on_cluster(paths: list[str], year: int | None, region: str | None, kind: str | None,
                     landing_dir: Path) -> list[str]:
    """Files already loaded are not skipped here (the working file is the writer host's): the load finds
    their bytes and counts them unchanged. Returns where each file landed."""
    files = [str(p) for p in find_recap_files([Path(p) for p in paths])]
    landed = stage_landed.map(files, unmapped(year), unmapped(region), unmapped(kind), unmapped(str(landing_dir)))
    return landed.result()


def read_landed(landed: list[str]) -> Iterator[StagedFile]:
    """Each landed file read back as the load takes it."""
    return (packages.read_recap_package(Path(path)) for path in landed)


def ingest_files(db_path: Path, paths: list[Path | str], year: int | None = None, region: str | None = None,
                 command: str = "ingest", *, kind: str | None = None, rebuild: str = "touched",
                 publish_to: Path | None = None, replace: bool = False) -> runs.IngestSummary:
    """kbetl.runs.ingest_recaps (its arguments); on a Dask cluster each file is read and checked there first,
    then loaded here."""
    landing_dir = fanout.cluster_landing()
    if landing_dir is None:
        return runs.ingest_recaps(db_path, [Path(p) for p in paths], year, region, command, kind=kind,
                                  rebuild=rebuild, publish_to=publish_to, replace=replace)
    landed = stage_on_cluster([str(p) for p in paths], year, region, kind, landing_dir)
    return runs.load_recaps(db_path, read_landed(landed), command,
                            runs.recap_parameters(paths, year, region, kind, replace), rebuild=rebuild,
                            publish_to=publish_to, replace=replace)


@flow(name="ingest-recaps", log_prints=True, task_runner=fanout.task_runner())
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
