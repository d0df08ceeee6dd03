"""The working DuckDB database: where it is, opening it (one writer at a time), and its layers."""

import hashlib
import os
from pathlib import Path

import duckdb

from kbetl.settings import positive_int

PROJECT_DIR = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_DIR / "sql"
DEFAULT_DB = PROJECT_DIR / "warehouse" / "kbetl-work.duckdb"
DB_ENV = "KBETL_DB"
STORAGE_ENV = "KBETL_STORAGE_VERSION"
# Files written with DuckDB 2.0's default storage cannot be opened by DuckDB 1.x (the duckdb-cli on
# PyPI, many BI tools); v1.0.0 storage opens in both.
DEFAULT_STORAGE_VERSION = "v1.0.0"
# DuckDB takes up to 80% of the machine by default; the pipeline's budget is 1.5 GiB in all, and DuckDB
# spills to disk beyond its limit.
MEMORY_ENV = "KBETL_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "768MB"
# DuckDB runs a query on one thread per core by default; on a machine whose cores other processes share (several
# kbetl commands, a test run's workers), fewer threads spend less CPU waiting on each other.
THREADS_ENV = "KBETL_DUCKDB_THREADS"


class WarehouseError(RuntimeError):
    """A failure the user can cause and act on: one sentence naming the file and what to do."""


class WarehouseLocked(WarehouseError):
    pass


class WarehouseUnwritable(WarehouseError):
    pass


class WriteFailed(WarehouseError):
    """The disk refused a write in the middle of a run (full, gone read-only, an I/O error)."""


def database_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get(DB_ENV) or DEFAULT_DB).resolve()


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the working file. Read-write (one writer): a file held by another process is
    WarehouseLocked, a file or folder that cannot be written WarehouseUnwritable, each one sentence."""
    if read_only:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            raise locked(path, exc) if _is_lock_conflict(exc) else exc from exc
    config = {"storage_compatibility_version": os.environ.get(STORAGE_ENV, DEFAULT_STORAGE_VERSION),
              "memory_limit": os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_LIMIT)}
    if (threads := duckdb_threads()) is not None:
        config["threads"] = threads
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), config=config)
    except duckdb.IOException as exc:
        if _is_lock_conflict(exc):
            raise locked(path, exc) from exc
        raise unwritable(path, exc) from exc
    except OSError as exc:
        raise unwritable(path, exc) from exc
    _create_layers(con)
    return con


def duckdb_threads() -> int | None:
    """DuckDB's threads per connection to the working file: $KBETL_DUCKDB_THREADS, else None (DuckDB's own
    default: a thread per core it may use)."""
    if not os.environ.get(THREADS_ENV, "").strip():
        return None
    return positive_int(THREADS_ENV, 1)


def _create_layers(con: duckdb.DuckDBPyConnection) -> None:
    """sql/warehouse.sql, unless the file already holds this version of it (its ~40 statements cost more
    than the rest of opening the file)."""
    run_once(con, (SQL_DIR / "warehouse.sql").read_text(), "audit.layers_version")


def run_once(con: duckdb.DuckDBPyConnection, script: str, version_table: str) -> None:
    """Runs an SQL script of idempotent statements unless version_table (one sha256 column) already holds this
    version of it, which it then records."""
    version = hashlib.sha256(script.encode()).hexdigest()
    try:
        if con.execute(f"select sha256 from {version_table}").fetchall() == [(version,)]:
            return
    except duckdb.CatalogException:  # the layers of a new file
        pass
    con.execute(script)
    con.execute(f"delete from {version_table}")
    con.execute(f"insert into {version_table} values (?)", [version])


def locked(path: Path, exc: Exception) -> WarehouseLocked:
    return WarehouseLocked(
        f"{path} sedang dipegang proses lain ({_holder(exc)}). Tutup notebook, alat BI atau proses kbetl yang "
        f"membukanya, atau pakai berkas lain dengan --db / {DB_ENV}.")


def unwritable(path: Path, exc: Exception) -> WarehouseUnwritable:
    return WarehouseUnwritable(
        f"{path} tidak dapat dibuka untuk ditulis ({reason(exc)}). Jadikan {path.parent} dapat ditulisi, atau "
        f"pakai berkas di folder yang boleh ditulisi dengan --db / {DB_ENV}.")


def write_failed(path: Path, exc: BaseException) -> WriteFailed | None:
    """A run's failure to write, as the sentence the user acts on; None for any other failure."""
    if isinstance(exc, WarehouseError) or not isinstance(exc, (OSError, duckdb.IOException, duckdb.FatalException)):
        return None
    return WriteFailed(
        f"{path}: penulisan gagal di tengah proses ({reason(exc)}). Berkas yang sudah selesai dimuat tetap "
        "tersimpan dan tidak ada yang diterbitkan; kosongkan ruang disk (atau perbaiki foldernya) lalu jalankan "
        "perintah yang sama lagi: tahun-tahun yang belum dibangun ulang akan dibangun ulang sebelum diterbitkan.")


def reason(exc: BaseException) -> str:
    """The operating system's words for a failure, without DuckDB's prefix or the path repeated."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0].rsplit(": ", 1)[-1].strip() or type(exc).__name__


def _is_lock_conflict(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def _holder(exc: Exception) -> str:
    text = str(exc)
    return text[text.find("PID"):].split(")")[0] if "PID" in text else "kunci berkas bentrok"


def sql_literal(text: str) -> str:
    """A string literal, for the few statements that take no parameters (COMMENT ON)."""
    return "'" + text.replace("'", "''") + "'"


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Rolls back the open transaction. Where the failure already ended it (a full disk aborts DuckDB's
    transaction), there is nothing to roll back: the caller re-raises the failure itself, never this."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def insert_columns(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list],
                   constants: dict | None = None) -> None:
    """Rows into table in one statement: each column's values bound as one list (all as long), each constant once
    for every row. Cheaper than executemany (a statement per row) or scanning a registered frame."""
    constants = constants or {}
    selected = [f"${name}" for name in constants] + [f"unnest(${name})" for name in columns]
    con.execute(f"insert into {table} ({', '.join([*constants, *columns])}) select {', '.join(selected)}",
                constants | columns)


def mark_stale(con: duckdb.DuckDBPyConnection, years) -> None:
    """Campaign years whose models must be rebuilt: call inside the load's own transaction."""
    con.execute("insert into audit.stale_years select y from (select unnest(?) as y) "
                "where y not in (select campaign_year from audit.stale_years)", [sorted({int(y) for y in years})])


def stale_years(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {y for (y,) in con.execute("select distinct campaign_year from audit.stale_years").fetchall()}
