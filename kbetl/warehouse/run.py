"""One run against the working database, as one unit of work: the run skeleton every path uses.

start the run record → write the reference tables → the caller's work → rebuild the models of the
campaign years it touched → finish the run record → checkpoint → publish. On any exception the run is
recorded as failed and nothing is published; what the work committed before it stays.
"""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from kbetl.warehouse.database import connect
from kbetl.warehouse.publish import publish
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.transform import run_transforms

REBUILDS = ("touched", "all", "none")


@dataclass(frozen=True)
class FileLoad:
    file_name: str
    status: str  # 'loaded' | 'unchanged'
    rows_accepted: int
    rows_quarantined: int
    findings: int


@dataclass
class Run:
    id: str
    con: duckdb.DuckDBPyConnection
    years: set[int] = field(default_factory=set)  # campaign years the work touched
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
    con = connect(db_path)
    run = Run(uuid.uuid4().hex[:12], con)
    try:
        con.execute("insert into audit.runs (run_id, command, started_at, status, parameters) "
                    "values (?, ?, ?, 'running', ?)",
                    [run.id, command, now(), json.dumps(parameters or {}, default=str)])
        load_reference(con)
        yield run
        if rebuild != "none":
            run_transforms(con, years=sorted(run.years) if rebuild == "touched" else None)
        _finish(run, run.status, run.files, run.refused)
        con.execute("checkpoint")
        if publish_to and not run.failed:
            run.published = publish(con, publish_to, run.id)
    except Exception:
        _finish(run, "failed", [], 0)
        raise
    finally:
        con.close()


def _finish(run: Run, status: str, files: list[FileLoad], refused: int) -> None:
    run.con.execute(
        """update audit.runs set finished_at = ?, status = ?, files_loaded = ?, files_unchanged = ?,
           files_refused = ?, rows_accepted = ?, rows_quarantined = ? where run_id = ?""",
        [now(), status, sum(f.status == "loaded" for f in files), sum(f.status == "unchanged" for f in files),
         refused, sum(f.rows_accepted for f in files), sum(f.rows_quarantined for f in files),
         run.id])
