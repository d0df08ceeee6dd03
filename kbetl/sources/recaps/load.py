"""Writing recap files to the working database: landed bytes, accepted rows, quarantine, findings.

Each file loads in one transaction: it is all there or none of it is. A file whose bytes have landed
before is not loaded again, so re-ingesting changes nothing.
"""

from pathlib import Path

import duckdb
import pandas as pd

from kbetl.sources.recaps.check import METHODS, ValidatedRecap
from kbetl.sources.recaps.grid import shown_name, stored_name
from kbetl.sources.recaps.stage import StagedFile
from kbetl.warehouse.run import FileLoad, Run, now
from schemas.audit import FINDINGS, QUARANTINE

ROW_COLUMNS = ["source_row", "is_total_row", "region_code", "region_name", "region_name_reported",
               "target", *METHODS, "total", "achieved", "pct", "report_year",
               "scope_code"]


def load_staged(run: Run, staged: list[StagedFile]) -> list[StagedFile]:
    """Loads staged files one at a time, records the refused ones; returns the refused."""
    refused = []
    for item in staged:
        if item.unchanged:
            run.files.append(FileLoad(shown_name(item.path.name), "unchanged", 0, 0, 0))
        elif item.recap is None:
            record_refused(run.con, stored_name(item.path.name), None, item.refused, run.id)
            refused.append(item)
        else:
            run.files.append(load_recap(run.con, item.recaps, item.path.resolve(), run.id))
            run.years.update(recap.campaign_year for recap in item.recaps)
    run.refused += len(refused)
    return refused


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return con.execute("select count(*) from audit.recap_submissions where file_sha256 = ?",
                       [sha256]).fetchall()[0][0] > 0


def load_recap(con: duckdb.DuckDBPyConnection, recaps: list[ValidatedRecap], source_path: Path,
               run_id: str) -> FileLoad:
    """One file, all its parts (one per year and parent region), in one transaction."""
    extract = recaps[0].extract
    if already_loaded(con, extract.sha256):
        return FileLoad(extract.file_name, "unchanged", 0, 0, 0)
    loaded_at = now()
    con.execute("begin")
    try:
        con.execute("insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?)",
                    [extract.sha256, stored_name(source_path.name), stored_name(source_path), len(extract.content),
                     extract.content, loaded_at, run_id])
        for number, recap in enumerate(recaps):
            _insert_part(con, recap, loaded_at, run_id, stored_name(source_path.name),
                         skipped=0 if number else len(extract.skipped_rows))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return FileLoad(extract.file_name, "loaded", sum(r.rows_accepted for r in recaps),
                    sum(r.rows_rejected for r in recaps), sum(len(r.findings) for r in recaps))


def _insert_part(con: duckdb.DuckDBPyConnection, recap: ValidatedRecap, loaded_at, run_id: str, file_name: str,
                 skipped: int) -> None:
    """skipped: the file's rows skipped with a reason (title, header, blank, notes), counted on its first part."""
    extract = recap.extract
    rows = pd.concat([recap.accepted.assign(is_total_row=False), recap.parent_figures.assign(is_total_row=True)],
                     ignore_index=True).assign(report_year=recap.campaign_year,
                                                         scope_code=recap.parent_code)[ROW_COLUMNS]
    next_seq = con.execute("select coalesce(max(load_seq), 0) + 1 from audit.recap_submissions").fetchall()[0][0]
    con.execute("insert into audit.recap_submissions (file_sha256, load_seq, campaign_year, scope_code, row_level, "
                "map_version, title, header_row, rows_accepted, rows_quarantined, findings, loaded_at, run_id, "
                "report_kind, rows_read, rows_skipped) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [extract.sha256, next_seq, recap.campaign_year, recap.parent_code, recap.row_level,
                 recap.map_version, extract.title, extract.header_row, len(rows), recap.rows_rejected,
                 len(recap.findings), loaded_at, run_id, recap.kind, recap.rows_in + skipped, skipped])
    _insert(con, "staging.recap_rows", rows.assign(file_sha256=extract.sha256), ["file_sha256", *ROW_COLUMNS])
    _insert(con, "audit.quarantine",
            recap.quarantine.assign(file_sha256=extract.sha256, file_name=file_name, run_id=run_id),
            list(QUARANTINE))
    _insert(con, "audit.findings",
            recap.findings.assign(file_sha256=extract.sha256, file_name=file_name, run_id=run_id),
            list(FINDINGS))


def record_refused(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str | None, reason: str,
                   run_id: str) -> None:
    con.execute("insert into audit.refused_files values (?, ?, ?, ?, ?)", [file_name, sha256, reason, run_id, now()])


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
    if frame.empty:
        return
    con.register("batch", frame[columns])
    con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from batch")
    con.unregister("batch")
