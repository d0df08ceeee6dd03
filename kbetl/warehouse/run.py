"""One run against the working database, as one unit of work: the run skeleton every path uses.

start the run record (its pid and host) and recover what dead runs left → write the reference tables →
the caller's work → rebuild the models of the campaign years it touched → record what was committed →
checkpoint → publish → finish the run record. On any exception (or an interrupt) the run is recorded as
failed with the error and what it committed, and nothing is published. A run killed outright stays
'running' until the next run finds its process gone and marks it 'dead' (see `recover_dead_runs`).

Past one machine, every run also holds a slot of a global concurrency limit for its whole length (named by
$KBETL_WRITER_LIMIT, held through a guard that flows/ installs, since kbetl never imports Prefect): writers
on several workers of the writer host queue for the file instead of failing on its lock.
"""

import json
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from kbetl.warehouse.database import WarehouseError, connect, reason, stale_years, write_failed
from kbetl.warehouse.publish import building_files, publish
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.transform import run_transforms

REBUILDS = ("touched", "all", "none")
WRITER_LIMIT_ENV = "KBETL_WRITER_LIMIT"
log = logging.getLogger(__name__)
_ACTIVE: set[str] = set()  # runs in progress in this process
_writer_guard: Callable[[str], AbstractContextManager] | None = None


def set_writer_guard(guard: Callable[[str], AbstractContextManager]) -> None:
    """guard(limit name) holds one slot of that limit while its context lasts, and fails when the limit
    does not exist (never runs unguarded)."""
    global _writer_guard
    _writer_guard = guard


def writer_slot() -> AbstractContextManager:
    """The slot every run holds when $KBETL_WRITER_LIMIT names a limit; nothing to hold otherwise."""
    name = os.environ.get(WRITER_LIMIT_ENV, "").strip()
    if not name:
        return nullcontext()
    if _writer_guard is None:
        raise WarehouseError(f"{WRITER_LIMIT_ENV} diisi ({name}), tetapi proses ini tidak dapat memegang batas "
                             "konkurensi Prefect: jalankan lewat flow Prefect kbetl, atau kosongkan pengaturan itu")
    return _writer_guard(name)


@dataclass(frozen=True)
class FileLoad:
    file_name: str
    status: str  # 'loaded' | 'unchanged'
    rows_accepted: int
    rows_quarantined: int
    findings: int
    kept: tuple[str, ...] = ()  # regions an earlier version had and this one lacks, kept from it (sentences)
    dropped: tuple[str, ...] = ()  # the same, dropped on purpose (--replace)
    unused_columns: int = 0  # columns of the file nothing was read from
    years_skipped: tuple[int, ...] = ()  # years of the file set aside (--year)


@dataclass
class Run:
    id: str
    con: duckdb.DuckDBPyConnection
    files: list[FileLoad] = field(default_factory=list)
    refused: int = 0  # files refused whole
    failed: list[str] = field(default_factory=list)  # parts that failed (provinces): the run fails, loads stay
    published: Path | None = None

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        return "succeeded_with_refused_files" if self.refused else "succeeded"


def now() -> datetime:
    return datetime.now(timezone.utc)


@contextmanager
def warehouse_run(db_path: Path, command: str, parameters: dict | None = None, *, rebuild: str = "touched",
                  publish_to: Path | None = None) -> Iterator[Run]:
    """rebuild: the models of the years touched, all of them, or none (a backfill rebuilds once, at its
    end). Publishes to publish_to when given and no part failed."""
    if rebuild not in REBUILDS:
        raise ValueError(f"rebuild is one of {REBUILDS}, not {rebuild!r}")
    with writer_slot():
        yield from _run(db_path, command, parameters, rebuild, publish_to)


def _run(db_path: Path, command: str, parameters: dict | None, rebuild: str, publish_to: Path | None
         ) -> Iterator[Run]:
    con = connect(db_path)
    run = Run(uuid.uuid4().hex[:12], con)
    _ACTIVE.add(run.id)
    try:
        recover_dead_runs(con, publish_to)
        con.execute("insert into audit.runs (run_id, command, started_at, status, parameters, pid, host) "
                    "values (?, ?, ?, 'running', ?, ?, ?)",
                    [run.id, command, now(), json.dumps(parameters or {}, default=str), os.getpid(),
                     socket.gethostname()])
        load_reference(con)
        yield run
        if rebuild != "none":  # the years a load marked stale (a file already loaded marks none), and those
            # a failed or killed run left stale
            run_transforms(con, years=sorted(stale_years(con)) if rebuild == "touched" else None)
        _record(run, "running")  # what is committed, before publishing: a kill while publishing keeps it
        con.execute("checkpoint")
        if publish_to and not run.failed:
            run.published = publish(con, publish_to, run.id)
        _record(run, run.status, finished=True)
    except BaseException as exc:  # an interrupt (Ctrl-C, SIGTERM) is recorded too
        try:
            error = (f"interrupted ({type(exc).__name__})" if isinstance(exc, (KeyboardInterrupt, SystemExit))
                     else str(exc) or type(exc).__name__)
            _record(run, "failed", finished=True, error=error)
        except Exception as record_failure:  # the connection or the disk is gone: the next run marks it dead
            log.warning("could not record run %s as failed (%s)", run.id, reason(record_failure))
        failed_write = write_failed(db_path, exc)
        if failed_write is not None:
            raise failed_write from exc
        raise
    finally:
        _ACTIVE.discard(run.id)
        con.close()


def _record(run: Run, status: str, *, finished: bool = False, error: str | None = None) -> None:
    """The run's status and what it committed: the files loaded stay loaded whatever happens after."""
    files = run.files
    run.con.execute(
        """update audit.runs set finished_at = ?, status = ?, files_loaded = ?, files_unchanged = ?,
           files_refused = ?, rows_accepted = ?, rows_quarantined = ?, error = ? where run_id = ?""",
        [now() if finished else None, status, sum(f.status == "loaded" for f in files),
         sum(f.status == "unchanged" for f in files), run.refused, sum(f.rows_accepted for f in files),
         sum(f.rows_quarantined for f in files), error, run.id])


def recover_dead_runs(con: duckdb.DuckDBPyConnection, publish_to: Path | None = None) -> list[str]:
    """Runs recorded 'running' whose process is gone (killed, crashed, machine restarted) are marked 'dead'
    with finished_at; the half-built published files of finished or dead runs are removed. Says so in one
    warning line. Returns the dead runs' ids."""
    running = con.execute("select run_id, command, started_at, pid, host from audit.runs "
                          "where status = 'running'").fetchall()
    dead = [(run_id, command, started, pid) for run_id, command, started, pid, host in running
            if not _alive(run_id, pid, host)]
    for run_id, command, started, pid in dead:
        con.execute("update audit.runs set status = 'dead', finished_at = ?, "
                    "error = coalesce(error, 'its process ended without finishing the run (killed or crashed)') "
                    "where run_id = ?", [now(), run_id])
    removed = []
    if publish_to is not None:
        live = {run_id for run_id, *_ in running} - {run_id for run_id, *_ in dead}
        known = {run_id for (run_id,) in con.execute("select run_id from audit.runs").fetchall()}
        for run_id, path in building_files(publish_to):
            if run_id in known and run_id not in live:  # never another working file's run, never a live one
                path.unlink(missing_ok=True)
                removed.append(path.name)
    if dead or removed:
        runs = "; ".join(f"{run_id} ({command}, pid {pid}, started {started:%Y-%m-%d %H:%M})"
                         for run_id, command, started, pid in dead)
        log.warning("recovered after a killed run: %s%s",
                    f"marked dead in audit.runs: {runs}" if dead else "",
                    (", " if dead else "") + f"removed {', '.join(removed)}" if removed else "")
    return [run_id for run_id, *_ in dead]


def _alive(run_id: str, pid: int | None, host: str | None) -> bool:
    """Is the process of a 'running' run still there? We hold the file's write lock, which a live run of
    another process would hold, so a run of another host, or without a pid (older records), is dead."""
    if pid is None or host != socket.gethostname():
        return False
    if pid == os.getpid():
        return run_id in _ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:  # a killed process not yet reaped by its parent is gone too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
