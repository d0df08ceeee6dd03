import os
import tempfile
from pathlib import Path

# Tests never share (or lock) the project's Prefect database; set before anything imports Prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="kbetl-prefect-")

import duckdb  # noqa: E402
import pytest  # noqa: E402

from kbetl.runs import IngestSummary, load_recaps  # noqa: E402
from kbetl.sources.recaps.stage import find_recap_files, stage_recap  # noqa: E402
from kbetl.warehouse.transform import discover_models  # noqa: E402
from kbetl.warehouse.database import PROJECT_DIR  # noqa: E402

SAMPLE_DIR = PROJECT_DIR / "data" / "sample"


def ingest(db: Path, *paths: Path, year: int | None = None, region: str | None = None) -> IngestSummary:
    staged = [stage_recap(p, year, region) for p in find_recap_files(list(paths))]
    return load_recaps(db, staged, "test")


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


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> tuple[Path, IngestSummary]:
    """The bundled sample recaps, ingested once for the session."""
    path = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    return path, ingest(path, SAMPLE_DIR)
