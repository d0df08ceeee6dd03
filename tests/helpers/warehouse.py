"""Loading (and publishing) recap files into a warehouse and reading it back, as the tests do."""

from pathlib import Path

import duckdb

from kbetl.runs import IngestSummary, load_recaps
from kbetl.sources.recaps.stage import find_recap_files, stage_recap
from kbetl.warehouse.database import PROJECT_DIR
from kbetl.warehouse.publish import published_path
from kbetl.warehouse.transform import discover_models

SAMPLE_DIR = PROJECT_DIR / "data" / "sample"


def ingest(db: Path, *paths: Path, year: int | None = None, region: str | None = None) -> IngestSummary:
    staged = [stage_recap(p, year, region) for p in find_recap_files(list(paths))]
    return load_recaps(db, staged, "test")


def publish_recaps(db: Path, *paths: Path) -> IngestSummary:
    """Load recap files and publish the analyst database beside the working file."""
    staged = [stage_recap(p) for p in find_recap_files(list(paths))]
    return load_recaps(db, staged, "test", publish_to=published_path(db))


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def marts_snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every mart (lineage columns that name a run or load time left out)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        snapshot = {}
        for table, model in discover_models().items():
            if model.schema != "marts":
                continue
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? order by ordinal_position", [model.name]).fetchall()
                if c not in ("loaded_at", "run_id")]
            snapshot[table] = con.execute(f"select {', '.join(columns)} from {table} order by all").fetchall()
        return snapshot
    finally:
        con.close()
