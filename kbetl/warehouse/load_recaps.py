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
from kbetl.warehouse.database import insert_columns, mark_stale, rollback
from kbetl.warehouse.lineage import record_package
from kbetl.warehouse.run import FileLoad, Run, now
from schemas.audit import FINDING, PROBLEM
from schemas.methods import METHOD_CODES

ROW_COLUMNS = ["source_row", "is_total_row", "region_code", "region_name", "region_name_reported",
               "target", *METHOD_CODES, "total", "achieved", "pct", "report_year",
               "scope_code"]
PART_COLUMNS = ["is_total_row", "report_year", "scope_code"]  # what the loader adds to a part's frames
FRAME_COLUMNS = [column for column in ROW_COLUMNS if column not in PART_COLUMNS]


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


# What loading a file depends on: whether its bytes were loaded before, the last load number, and whether the
# scope of one of its parts has a version with rows already (only then can a part lack regions one had).
FILE_STATE = """
select exists (select 1 from audit.recap_submissions where file_sha256 = $sha256) as loaded,
       (select coalesce(max(load_seq), 0) from audit.recap_submissions) as last_seq,
       exists (select 1 from audit.recap_submissions
               where rows_accepted > 0
                 and list_contains($scopes, {'year': campaign_year, 'kind': report_kind, 'scope': scope_code}))
           as versioned
"""


def load_recap(con: duckdb.DuckDBPyConnection, recaps: list[ValidatedRecap], source_path: Path,
               run_id: str, manifest: dict, replace: bool = False) -> FileLoad:
    """One file, all its parts (one per year and parent region), in one transaction, with its manifest (what
    its source said of it) in audit.packages."""
    extract = recaps[0].extract
    loaded, last_seq, versioned = con.execute(FILE_STATE, {
        "sha256": extract.sha256,
        "scopes": [{"year": r.campaign_year, "kind": r.kind, "scope": r.parent_code} for r in recaps]}).fetchone()
    if loaded:
        record_package(con, run_id, manifest)
        return _replacing_afterwards(con, recaps) if replace else FileLoad(extract.file_name, "unchanged", 0, 0, 0)
    loaded_at = now()
    con.execute("begin")
    try:
        record_package(con, run_id, manifest)
        con.execute("insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?)",
                    [extract.sha256, stored_name(source_path.name), stored_name(source_path), len(extract.content),
                     extract.content, loaded_at, run_id])
        _insert_parts(con, recaps, last_seq, loaded_at, run_id, replace, stored_name(source_path.name))
        missing = _missing_regions(con, recaps, replace) if versioned else []
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
        dropped = _missing_regions(con, recaps, True) if marked else []
        mark_stale(con, [recap.campaign_year for recap in recaps])
        con.execute("commit")
    except Exception:
        rollback(con)
        raise
    return FileLoad(extract.file_name, "unchanged", 0, 0, 0, dropped=tuple(dropped))


def _insert_parts(con: duckdb.DuckDBPyConnection, recaps: list[ValidatedRecap], last_seq: int, loaded_at,
                  run_id: str, replace: bool, file_name: str) -> None:
    """A file's parts, numbered on from last_seq: one statement per table. The file's rows skipped with a reason
    (title, header, blank, notes) are counted on its first part."""
    extract = recaps[0].extract
    skipped = [len(extract.skipped_rows)] + [0] * (len(recaps) - 1)
    insert_columns(con, "audit.recap_submissions", {
        "load_seq": list(range(last_seq + 1, last_seq + 1 + len(recaps))),
        "campaign_year": [recap.campaign_year for recap in recaps],
        "scope_code": [recap.parent_code for recap in recaps],
        "row_level": [recap.row_level for recap in recaps],
        "map_version": [recap.map_version for recap in recaps],
        "rows_accepted": [recap.rows_accepted for recap in recaps],
        "rows_quarantined": [recap.rows_rejected for recap in recaps],
        "findings": [len(recap.findings) for recap in recaps],
        "report_kind": [recap.kind for recap in recaps],
        "replaces_all": [replace and recap.rows_accepted > 0 for recap in recaps],
        "rows_read": [recap.rows_in + skipped_here for recap, skipped_here in zip(recaps, skipped)],
        "rows_skipped": skipped,
    }, {"file_sha256": extract.sha256, "title": extract.title, "header_row": extract.header_row,
        "loaded_at": loaded_at, "run_id": run_id})
    source = {"file_sha256": extract.sha256}
    _insert(con, "staging.recap_rows", source, FRAME_COLUMNS,
            [(frame, {"is_total_row": is_total_row, "report_year": recap.campaign_year,
                      "scope_code": recap.parent_code})
             for recap in recaps
             for frame, is_total_row in ((recap.accepted, False), (recap.parent_figures, True))])
    source |= {"file_name": file_name, "run_id": run_id}
    _insert(con, "audit.quarantine", source, list(PROBLEM), [(recap.quarantine, {}) for recap in recaps])
    _insert(con, "audit.findings", source, list(FINDING), [(recap.findings, {}) for recap in recaps])


# Per part of the file (a submission with rows), the regions (and the total row) of its scope's earlier versions
# since the last --replace that this version does not carry: the file each was last reported in, newest first.
MISSING_REGIONS = """
with this_file as (
    select campaign_year, report_kind, scope_code, load_seq
    from audit.recap_submissions
    where file_sha256 = $sha256 and rows_accepted > 0
),
scope_versions as (
    select t.campaign_year, t.report_kind, t.scope_code, s.file_sha256, s.load_seq, s.replaces_all
    from this_file as t
    join audit.recap_submissions as s using (campaign_year, report_kind, scope_code)
    where s.rows_accepted > 0 and s.load_seq < t.load_seq
),
earlier as (
    select v.* from scope_versions as v
    where v.load_seq >= coalesce((select max(r.load_seq) from scope_versions as r
                                  where r.replaces_all and r.campaign_year = v.campaign_year
                                    and r.report_kind = v.report_kind and r.scope_code = v.scope_code), 0)
),
earlier_rows as (
    select e.campaign_year, e.report_kind, e.scope_code, r.is_total_row, r.region_code, r.region_name,
           r.region_name_reported, arg_max(l.file_name, e.load_seq) as file_name
    from earlier as e
    join staging.recap_rows as r
        on r.file_sha256 = e.file_sha256 and coalesce(r.report_year, e.campaign_year) = e.campaign_year
        and coalesce(r.scope_code, e.scope_code) = e.scope_code
    join raw.landed_files as l on l.file_sha256 = e.file_sha256
    group by all
),
carried as (
    select * from earlier_rows as e
    where not exists (select 1 from staging.recap_rows as n
                      where n.file_sha256 = $sha256 and n.report_year = e.campaign_year
                        and n.scope_code = e.scope_code and n.is_total_row = e.is_total_row
                        and n.region_code = e.region_code)
)
select campaign_year, report_kind, scope_code, is_total_row, region_name, region_name_reported, file_name
from carried
order by campaign_year, report_kind, scope_code, is_total_row, region_code
"""


def _missing_regions(con: duckdb.DuckDBPyConnection, recaps: list[ValidatedRecap], replace: bool) -> list[str]:
    """One sentence per region an earlier version of a part's scope had and this part lacks, part by part."""
    carried = {}
    for year, kind, scope, *region in con.execute(MISSING_REGIONS, {"sha256": recaps[0].extract.sha256}).fetchall():
        carried.setdefault((year, kind, scope), []).append(region)
    return [sentence for recap in recaps
            for sentence in _sentences(recap, carried.get((recap.campaign_year, recap.kind, recap.parent_code), []),
                                       replace)]


def _sentences(recap: ValidatedRecap, carried: list[tuple], replace: bool) -> list[str]:
    extract = recap.extract
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


def _insert(con: duckdb.DuckDBPyConnection, table: str, constants: dict, columns: list[str],
            frames: list[tuple[pd.DataFrame, dict]]) -> None:
    """The rows of the frames (their columns given, and the values a frame's dict gives all its rows) into table
    in one statement; constants: the values of every row."""
    frames = [(frame, values) for frame, values in frames if not frame.empty]
    if not frames:
        return
    lists = {column: [] for column in [*columns, *frames[0][1]]}
    for frame, values in frames:
        values_of = dict(zip(frame.columns, frame.to_numpy(dtype=object, na_value=None).T.tolist()))
        for column in columns:
            lists[column] += values_of[column]
        for column, value in values.items():
            lists[column] += [value] * len(frame)
    insert_columns(con, table, lists, constants)
