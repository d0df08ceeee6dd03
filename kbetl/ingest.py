"""Ingesting recap files: staging each (extract + validate, no warehouse), then loading them serially."""

import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb

from kbetl import load, warehouse
from kbetl.extract.grid import UnreadableFile
from kbetl.extract.recap import RecapStructureError, read_recap
from kbetl.publish import publish
from kbetl.transform import run_transforms
from kbetl.validate import ValidatedRecap, validate_recap

RECAP_SUFFIXES = (".csv", ".xlsx", ".xlsm")


@dataclass
class StagedFile:
    path: Path
    recap: ValidatedRecap | None = None
    refused: str | None = None  # why the whole file was refused
    unchanged: bool = False  # its bytes are already in the warehouse


@dataclass
class IngestSummary:
    run_id: str
    db_path: Path
    status: str
    results: list[load.LoadResult]
    refused: list[StagedFile]
    published: Path | None = None


def find_recap_files(paths: list[Path]) -> list[Path]:
    """Files as given, and recap files inside folders (recursively), in a stable order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in RECAP_SUFFIXES)
        else:
            found.append(path)
    return found


def loaded_hashes(db_path: Path) -> frozenset[str]:
    """Content hashes of the recap files the warehouse already holds (none if it does not exist yet)."""
    if not db_path.exists():
        return frozenset()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return frozenset(h for (h,) in con.execute("select file_sha256 from audit.recap_submissions").fetchall())
    except duckdb.CatalogException:
        return frozenset()
    finally:
        con.close()


def stage_recap(path: Path, year: int | None = None, region: str | None = None,
                loaded: frozenset[str] = frozenset()) -> StagedFile:
    """Extracts and validates one file, unless its bytes are among those already loaded."""
    if loaded and Path(path).is_file() and hashlib.sha256(Path(path).read_bytes()).hexdigest() in loaded:
        return StagedFile(Path(path), unchanged=True)
    try:
        return StagedFile(Path(path), recap=validate_recap(read_recap(path, year, region)))
    except (RecapStructureError, UnreadableFile) as exc:
        return StagedFile(Path(path), refused=str(exc))


def stage_recaps(paths: list[Path], year: int | None = None, loaded: frozenset[str] = frozenset()) -> list[StagedFile]:
    """Stages many files on every core: each takes ~0.1 s of pandas and Pandera, independent of the others.
    Workers are forked (cheap: kbetl is already imported), so only from a process with no other thread
    (a fork copies locks that other threads may hold); otherwise the files are staged one by one."""
    workers = min(os.cpu_count() or 1, len(paths) // 8)
    if workers < 2 or threading.active_count() > 1:
        return [stage_recap(p, year, None, loaded) for p in paths]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(partial(stage_recap, year=year, loaded=loaded), paths, chunksize=4))


def load_staged(db_path: Path, staged: list[StagedFile], command: str, publish_to: Path | None = None,
                parameters: dict | None = None, transform: bool = True) -> IngestSummary:
    """Loads staged files one at a time (one writer), rebuilds the models of their years (unless told not
    to: a backfill rebuilds them once at its end), publishes if asked."""
    run_id = load.new_run_id()
    con = warehouse.connect(db_path)
    try:
        load.start_run(con, run_id, command, parameters)
        load.load_reference(con)
        results, refused = [], []
        for item in staged:
            if item.unchanged:
                results.append(load.LoadResult(item.path.name, "unchanged", 0, 0, 0))
            elif item.recap is None:
                load.record_refused(con, item.path.name, None, item.refused, run_id)
                refused.append(item)
            else:
                results.append(load.load_recap(con, item.recap, item.path.resolve(), run_id))
        if transform:
            run_transforms(con, years=sorted({item.recap.campaign_year for item in staged if item.recap}))
        status = "succeeded" if not refused else "succeeded_with_refused_files"
        load.finish_run(con, run_id, status, results, len(refused))
        con.execute("checkpoint")
        published = publish(con, publish_to, run_id) if publish_to else None
    except Exception:
        load.finish_run(con, run_id, "failed", [], 0)
        raise
    finally:
        con.close()
    return IngestSummary(run_id, db_path, status, results, refused, published)
