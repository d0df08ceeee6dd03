"""The loader of staged recap files (what the recaps source hands the warehouse; read back from its package
when it was made elsewhere): landed bytes, accepted rows, quarantine, findings written to the working database.

Each file loads in one transaction: it is all there or none of it is. A file whose bytes have landed
before is not loaded again, so re-ingesting changes nothing. A new version of a recap scope that lacks a
region an earlier version had (left out, or its row quarantined) keeps the earlier figures for it
(staging.recap_rows_current): the load says so, region by region, unless it replaces every earlier version.
"""

from pathlib import Path

import duckdb
import pandas as pd

from kbetl.sources.recaps.check import ValidatedRecap
from kbetl.sources.recaps.grid import shown_name, stored_name
from kbetl.sources.recaps.manifest import recap_manifest
from kbetl.sources.recaps.stage import StagedFile
from kbetl.warehouse.database import mark_stale, rollback
from kbetl.warehouse.lineage import record_package
from kbetl.warehouse.run import FileLoad, Run, now
from schemas.audit import FINDINGS, QUARANTINE
from schemas.methods import METHOD_CODES

ROW_COLUMNS = ["source_row", "is_total_row", "region_code", "region_name", "region_name_reported",
               "target", *METHOD_CODES, "total", "achieved", "pct", "report_year",
               "scope_code"]


def load_staged(run: Run, staged: list[StagedFile], replace: bool = False) -> list[StagedFile]:
    """Loads staged files one at a time, records the refused ones; returns the refused. replace: each file
    replaces every earlier version of its scopes, and the regions only they had are dropped."""
    refused = []
    for item in staged:
        manifest = recap_manifest(item)
        if item.unchanged:
            record_package(run.con, run.id, manifest)
            run.files.append(FileLoad(shown_name(item.path.name), "unchanged", 0, 0, 0))
        elif item.recap is None:
            record_refused(run.con, stored_name(item.path.name), None, item.refused, run.id)
            record_package(run.con, run.id, manifest)
            refused.append(item)
        else:
            run.files.append(load_recap(run.con, item.recaps, item.path.resolve(), run.id, manifest, replace))
    run.refused += len(refused)
    return refused


def loaded_hashes(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Content hashes of the recap files the warehouse holds: staging skips those files unread."""
    return frozenset(h for (h,) in con.execute("select file_sha256 from audit.recap_submissions").fetchall())


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return con.execute("select count(*) from audit.recap_submissions where file_sha256 = ?",
                       [sha256]).fetchall()[0][0] > 0


def load_recap(con: duckdb.DuckDBPyConnection, recaps: list[ValidatedRecap], source_path: Path,
               run_id: str, manifest: dict, replace: bool = False) -> FileLoad:
    """One file, all its parts (one per year and parent region), in one transaction, with its manifest (what
    its source said of it) in audit.packages."""
    extract = recaps[0].extract
    if already_loaded(con, extract.sha256):
        record_package(con, run_id, manifest)
        return _replacing_afterwards(con, recaps) if replace else FileLoad(extract.file_name, "unchanged", 0, 0, 0)
    loaded_at = now()
    con.execute("begin")
    try:
        record_package(con, run_id, manifest)
        con.execute("insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?)",
                    [extract.sha256, stored_name(source_path.name), stored_name(source_path), len(extract.content),
                     extract.content, loaded_at, run_id])
        missing = []
        for number, recap in enumerate(recaps):
            _insert_part(con, recap, loaded_at, run_id, replace, stored_name(source_path.name),
                         skipped=0 if number else len(extract.skipped_rows))
            missing += _missing_regions(con, recap, replace)
        mark_stale(con, [recap.campaign_year for recap in recaps])
        con.execute("commit")
    except Exception:
        rollback(con)
        raise
    return FileLoad(extract.file_name, "loaded", sum(r.rows_accepted for r in recaps),
                    sum(r.rows_rejected for r in recaps), sum(len(r.findings) for r in recaps),
                    kept=tuple(m for m in missing if not replace), dropped=tuple(m for m in missing if replace),
                    unused_columns=len(extract.ignored_columns), years_skipped=tuple(extract.years_skipped))


def _replacing_afterwards(con: duckdb.DuckDBPyConnection, recaps: list[ValidatedRecap]) -> FileLoad:
    """--replace for a file already loaded (the officer read why it kept earlier figures, and means it): its
    versions now replace the earlier ones; its rows are not loaded again."""
    extract = recaps[0].extract
    con.execute("begin")
    try:
        marked = con.execute("update audit.recap_submissions set replaces_all = true where file_sha256 = ? "
                             "and rows_accepted > 0 and not coalesce(replaces_all, false)",
                             [extract.sha256]).fetchall()[0][0]
        dropped = [sentence for recap in recaps for sentence in _missing_regions(con, recap, True)] if marked else []
        mark_stale(con, [recap.campaign_year for recap in recaps])
        con.execute("commit")
    except Exception:
        rollback(con)
        raise
    return FileLoad(extract.file_name, "unchanged", 0, 0, 0, dropped=tuple(dropped))


def _insert_part(con: duckdb.DuckDBPyConnection, recap: ValidatedRecap, loaded_at, run_id: str,
                 replace: bool, file_name: str, skipped: int) -> None:
    """skipped: the file's rows skipped with a reason (title, header, blank, notes), counted on its first part."""
    extract = recap.extract
    rows = pd.concat([recap.accepted.assign(is_total_row=False), recap.parent_figures.assign(is_total_row=True)],
                     ignore_index=True).assign(report_year=recap.campaign_year,
                                                         scope_code=recap.parent_code)[ROW_COLUMNS]
    next_seq = con.execute("select coalesce(max(load_seq), 0) + 1 from audit.recap_submissions").fetchall()[0][0]
    con.execute("insert into audit.recap_submissions (file_sha256, load_seq, campaign_year, scope_code, row_level, "
                "map_version, title, header_row, rows_accepted, rows_quarantined, findings, loaded_at, run_id, "
                "report_kind, replaces_all, rows_read, rows_skipped) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [extract.sha256, next_seq, recap.campaign_year, recap.parent_code, recap.row_level,
                 recap.map_version, extract.title, extract.header_row, len(rows), recap.rows_rejected,
                 len(recap.findings), loaded_at, run_id, recap.kind, replace and len(rows) > 0,
                 recap.rows_in + skipped, skipped])
    _insert(con, "staging.recap_rows", rows.assign(file_sha256=extract.sha256), ["file_sha256", *ROW_COLUMNS])
    _insert(con, "audit.quarantine",
            recap.quarantine.assign(file_sha256=extract.sha256, file_name=file_name, run_id=run_id),
            list(QUARANTINE))
    _insert(con, "audit.findings",
            recap.findings.assign(file_sha256=extract.sha256, file_name=file_name, run_id=run_id),
            list(FINDINGS))


# Regions (and the total row) of the scope's earlier versions since the last --replace that the version
# just inserted does not carry: the file each was last reported in, newest first.
MISSING_REGIONS = """
with scope_versions as (
    select file_sha256, load_seq, replaces_all
    from audit.recap_submissions
    where campaign_year = $year and report_kind = $kind and scope_code = $scope and rows_accepted > 0
),
this_version as (
    select load_seq from scope_versions where file_sha256 = $sha256
),
earlier as (
    select v.file_sha256, v.load_seq from scope_versions as v, this_version as t
    where v.load_seq < t.load_seq
      and v.load_seq >= coalesce((select max(load_seq) from scope_versions
                                  where replaces_all and load_seq < t.load_seq), 0)
),
earlier_rows as (
    select r.is_total_row, r.region_code, r.region_name, r.region_name_reported,
           arg_max(l.file_name, e.load_seq) as file_name
    from earlier as e
    join staging.recap_rows as r
        on r.file_sha256 = e.file_sha256 and coalesce(r.report_year, $year) = $year
        and coalesce(r.scope_code, $scope) = $scope
    join raw.landed_files as l on l.file_sha256 = e.file_sha256
    group by all
),
carried as (
    select * from earlier_rows as e
    where not exists (select 1 from staging.recap_rows as n
                      where n.file_sha256 = $sha256 and n.report_year = $year and n.scope_code = $scope
                        and n.is_total_row = e.is_total_row and n.region_code = e.region_code)
)
select is_total_row, region_name, region_name_reported, file_name from carried order by is_total_row, region_code
"""


def _missing_regions(con: duckdb.DuckDBPyConnection, recap: ValidatedRecap, replace: bool) -> list[str]:
    """One sentence per region an earlier version of this part's scope had and this one lacks."""
    extract = recap.extract
    carried = con.execute(MISSING_REGIONS, {"year": recap.campaign_year, "kind": recap.kind,
                                            "scope": recap.parent_code, "sha256": extract.sha256}).fetchall()
    quarantined = set(recap.quarantine["source_row"])
    written = {_folded(name): row for row, name in zip(extract.rows["source_row"], extract.rows["region_name"])
               if row in quarantined}
    sentences = []
    for is_total_row, name, reported, file_name in carried:
        shown = f"Baris jumlah ({name})" if is_total_row else name
        row = written.get(_folded(reported)) or written.get(_folded(name))
        where = (f"baris {row} dikarantina" if row is not None
                 else "tidak ada di antara baris yang diterima dari berkas ini")
        outcome = "dibuang (--replace)" if replace else "tetap dipakai"
        sentences.append(f"{shown}: {where} — angka dari berkas {file_name!r} {outcome}")
    return sentences


def _folded(name) -> str:
    return " ".join(str(name).casefold().split()) if isinstance(name, str) else ""


def record_refused(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str | None, reason: str,
                   run_id: str) -> None:
    con.execute("insert into audit.refused_files values (?, ?, ?, ?, ?)", [file_name, sha256, reason, run_id, now()])


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
    if frame.empty:
        return
    con.register("batch", frame[columns])
    con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from batch")
    con.unregister("batch")
