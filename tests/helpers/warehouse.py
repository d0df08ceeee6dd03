"""Loading (and publishing) recap files into a warehouse and reading it back, as the tests do."""

import shutil
from pathlib import Path

import duckdb

from devtools.cli import QUICKSTART_PROVINCES, QUICKSTART_YEAR
from devtools.generate.facilities import generate_facility_data
from devtools.generate.facility_faults import plant_facility_faults
from kbetl.runs import IngestSummary, load_recaps
from kbetl.sources.recaps.stage import find_recap_files, stage_recap
from kbetl.warehouse.database import PROJECT_DIR, connect
from kbetl.warehouse.publish import publish, published_path
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.transform import discover_models, run_transforms

SAMPLE_DIR = PROJECT_DIR / "data" / "sample"


def archive_of(root: Path, years, provinces) -> Path:
    """Sample recaps of some provinces as an office archives them: one folder per year under root."""
    for year in years:
        (root / str(year)).mkdir(parents=True)
        for province in provinces:
            for path in (SAMPLE_DIR / str(year)).glob(f"{province}_*"):
                shutil.copy(path, root / str(year))
    return root


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
        return marts_snapshot_of(con)
    finally:
        con.close()


def marts_snapshot_of(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """marts_snapshot of the database open on con."""
    snapshot = {}
    for table, model in discover_models().items():
        if model.schema != "marts":
            continue
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = 'marts' and table_name = ? order by ordinal_position", [model.name]).fetchall()
            if c not in ("loaded_at", "run_id")]
        snapshot[table] = con.execute(f"select {', '.join(columns)} from {table} order by all").fetchall()
    return snapshot


def with_facility_data(sample_warehouse, tmp_path, planted: bool) -> Path:
    """A quick-start-shaped warehouse without its Prefect runs: a copy of the sample warehouse with the quick
    start's facility data loaded (as the pull loads them), published beside it; returns the working file."""
    db = tmp_path / "kbetl-work.duckdb"
    shutil.copy(sample_warehouse[0], db)
    data = generate_facility_data([QUICKSTART_YEAR], QUICKSTART_PROVINCES)
    if planted:
        data = plant_facility_faults(data)
    con = connect(db)
    try:
        load_reference(con)
        con.register("register", data.facilities)
        con.register("records", data.records)
        con.register("targets", data.targets)
        con.execute("insert into staging.facilities by name select * from register")
        con.execute("""insert into staging.daily_records
            select campaign_year, province_code, facility_code, regency_code, method, service_type, report_date,
                   acceptors, reported_at, updated_at, 'sample', 0, 'test' from records""")
        con.execute("insert into staging.daily_targets by name select * from targets")
        run_transforms(con)
        publish(con, published_path(db), "test")
    finally:
        con.close()
    return db
