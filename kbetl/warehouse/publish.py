"""The published analyst database: marts and reference tables, with their comments, as a new file
moved atomically over the published path.

An analyst holding the old file open read-only keeps reading it undisturbed (the file is replaced,
not rewritten); a new connection sees the new data. Only a successful run publishes.
"""

import os
from pathlib import Path

import duckdb

from kbetl.warehouse.database import DEFAULT_STORAGE_VERSION, STORAGE_ENV, WarehouseError, reason, rollback, sql_literal

PUBLISHED_ENV = "KBETL_PUBLISHED"
PUBLISHED_SCHEMAS = ("marts", "ref")


def published_path(working: Path, override: str | Path | None = None) -> Path:
    """--publish-to, else $KBETL_PUBLISHED, else beside the working file: kbetl-work.duckdb → kbetl.duckdb."""
    if override or os.environ.get(PUBLISHED_ENV):
        return Path(override or os.environ[PUBLISHED_ENV]).resolve()
    stem = working.stem
    name = stem.removesuffix("-work") if stem.endswith("-work") else f"{stem}-published"
    return working.with_name(f"{name}.duckdb")


class PublishFailed(WarehouseError):
    pass


def building_files(target: Path) -> list[tuple[str, Path]]:
    """(run id, path) of the files runs build beside `target` before moving them over it, with their .wal."""
    found = []
    for path in target.parent.glob(f".{glob_escape(target.name)}.*.building*"):
        run_id, _, rest = path.name.removeprefix(f".{target.name}.").partition(".")
        if rest in ("building", "building.wal"):
            found.append((run_id, path))
    return sorted(found)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def publish(con: duckdb.DuckDBPyConnection, target: Path, run_id: str) -> Path:
    """Copies marts and ref from the working database (open on `con`) to `target`, atomically. A target
    that cannot be written is PublishFailed (one sentence); the working database is untouched by it."""
    try:
        return _publish(con, target, run_id)
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        for _, leftover in building_files(target):
            if leftover.name.startswith(f".{target.name}.{run_id}."):
                leftover.unlink(missing_ok=True)
        raise PublishFailed(
            f"gagal menerbitkan ke {target} ({reason(exc)}); yang dimuat proses ini tersimpan di basis data kerja. "
            f"Jadikan {target.parent} dapat ditulisi, atau pakai --publish-to / {PUBLISHED_ENV} untuk tempat lain, "
            "lalu jalankan perintah yang sama lagi untuk menerbitkan.") from exc


def _publish(con: duckdb.DuckDBPyConnection, target: Path, run_id: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.{run_id}.building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    version = os.environ.get(STORAGE_ENV, DEFAULT_STORAGE_VERSION)
    con.execute("attach ? as analyst (storage_version ?)", [str(building), version])
    try:
        tables = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where database_name = current_database() and schema_name in ? order by all",
            [list(PUBLISHED_SCHEMAS)]).fetchall()
        columns = con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where database_name = current_database() and schema_name in ? and comment is not null "
            "order by all", [list(PUBLISHED_SCHEMAS)]).fetchall()
        # one script (hundreds of comments, one round trip) in one transaction: a commit per statement wrote the
        # new file's log hundreds of times, about a third of the publish
        con.execute("begin")
        try:
            con.execute(";\n".join(
                [f"create schema analyst.{schema}" for schema in PUBLISHED_SCHEMAS]
                + [f"create table analyst.{schema}.{table} as select * from {schema}.{table}"
                   for schema, table, _ in tables]
                + [f"comment on table analyst.{schema}.{table} is {sql_literal(comment)}"
                   for schema, table, comment in tables if comment]
                + [f"comment on column analyst.{schema}.{table}.{column} is {sql_literal(comment)}"
                   for schema, table, column, comment in columns]))
            con.execute("commit")
        except BaseException:
            rollback(con)
            raise
        con.execute("checkpoint analyst")
    finally:
        con.execute("detach analyst")
    os.replace(building, target)
    return target
