"""Writes to the working database: landed files, accepted rows, quarantine, findings, reference.

Each recap file loads in one transaction: it is all there or none of it is. A file whose bytes
have landed before is not loaded again, so re-ingesting changes nothing.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from kbetl.reference import regions, tables
from kbetl.validate import METHODS, ValidatedRecap

ROW_COLUMNS = ["source_row", "is_total_row", "region_code", "region_name", "region_name_reported",
               "target", *METHODS, "total", "achieved", "pct"]


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    status: str  # 'loaded' | 'unchanged'
    rows_accepted: int
    rows_quarantined: int
    findings: int


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def now() -> datetime:
    return datetime.now(timezone.utc)


def load_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Replaces the ref schema with the reference data this version of kbetl ships."""
    frames = {
        "regions": regions.all_maps(),
        "regency_crosswalk": regions.regency_crosswalk(),
        "region_aliases": tables.region_aliases(),
        "methods": tables.methods(),
        "service_types": tables.service_types(),
        "campaigns": tables.campaigns(),
        "target_groups": tables.target_groups(),
    }
    con.execute("begin")
    for name, frame in frames.items():
        con.register("reference_frame", frame)
        con.execute(f"create or replace table ref.{name} as select * from reference_frame")
        con.unregister("reference_frame")
    con.execute("commit")


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return con.execute("select count(*) from audit.recap_submissions where file_sha256 = ?",
                       [sha256]).fetchall()[0][0] > 0


def load_recap(con: duckdb.DuckDBPyConnection, recap: ValidatedRecap, source_path: Path, run_id: str) -> LoadResult:
    extract = recap.extract
    if already_loaded(con, extract.sha256):
        return LoadResult(extract.file_name, "unchanged", 0, 0, 0)
    rows = pd.concat([recap.accepted.assign(is_total_row=False), recap.parent_figures.assign(is_total_row=True)],
                     ignore_index=True)[ROW_COLUMNS]
    loaded_at = now()
    con.execute("begin")
    try:
        con.execute("insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?)",
                    [extract.sha256, extract.file_name, str(source_path), len(extract.content),
                     extract.content, loaded_at, run_id])
        next_seq = con.execute("select coalesce(max(load_seq), 0) + 1 from audit.recap_submissions").fetchall()[0][0]
        con.execute("insert into audit.recap_submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [extract.sha256, next_seq, recap.campaign_year, recap.parent_code, recap.row_level,
                     recap.map_version, extract.title, extract.header_row, len(rows), len(recap.quarantine),
                     len(recap.findings), loaded_at, run_id])
        _insert(con, "staging.recap_rows", rows.assign(file_sha256=extract.sha256),
                ["file_sha256", *ROW_COLUMNS])
        _insert(con, "audit.quarantine",
                recap.quarantine.assign(file_sha256=extract.sha256, file_name=extract.file_name, run_id=run_id),
                ["file_sha256", "file_name", "source_row", "column_name", "check_name", "value", "message", "run_id"])
        _insert(con, "audit.findings",
                recap.findings.assign(file_sha256=extract.sha256, file_name=extract.file_name, run_id=run_id),
                ["file_sha256", "file_name", "check_name", "source_row", "region_code", "expected", "actual",
                 "message", "run_id"])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return LoadResult(extract.file_name, "loaded", len(rows), len(recap.quarantine), len(recap.findings))


def record_refused(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str | None, reason: str,
                   run_id: str) -> None:
    con.execute("insert into audit.refused_files values (?, ?, ?, ?, ?)", [file_name, sha256, reason, run_id, now()])


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, command: str, parameters: dict | None = None) -> None:
    con.execute("insert into audit.runs (run_id, command, started_at, status, parameters) "
                "values (?, ?, ?, 'running', ?)", [run_id, command, now(), json.dumps(parameters or {}, default=str)])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, results: list[LoadResult],
               refused: int) -> None:
    con.execute(
        """update audit.runs set finished_at = ?, status = ?, files_loaded = ?, files_unchanged = ?,
           files_refused = ?, rows_accepted = ?, rows_quarantined = ? where run_id = ?""",
        [now(), status, sum(r.status == "loaded" for r in results), sum(r.status == "unchanged" for r in results),
         refused, sum(r.rows_accepted for r in results), sum(r.rows_quarantined for r in results), run_id])


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
    if frame.empty:
        return
    con.register("batch", frame[columns])
    con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from batch")
    con.unregister("batch")
