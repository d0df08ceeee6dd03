"""The marts of the quick start's warehouse saved as Parquet under tests/golden/marts (the golden copy the
marts-identical test compares with), and the comparison itself.

The marts are a contract with analysts: a deliberate change to a mart's rows is listed in the change's
closing note and the copy regenerated on purpose (it runs the quick start, a minute or two), from the
project folder:

    .venv/bin/python -m tests.helpers.golden_marts
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "tests" / "golden" / "marts"
REGENERATE = ".venv/bin/python -m tests.helpers.golden_marts"
LEFT_OUT = ("loaded_at", "run_id", "source_path")  # a run, a load time, where the checkout lies: differ by build


def _columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[str]:
    return [c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
        "order by ordinal_position", [mart]).fetchall() if c not in LEFT_OUT]


def _select(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def save(db: Path, folder: Path = GOLDEN_DIR) -> list[Path]:
    """Every mart of the database `db`, sorted by all its saved columns, one Parquet file each."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    con = duckdb.connect(str(db), read_only=True)
    try:
        marts = [m for (m,) in con.execute("select table_name from information_schema.tables "
                                           "where table_schema = 'marts' order by 1").fetchall()]
        written = []
        for mart in marts:
            path = folder / f"{mart}.parquet"
            con.sql(f'select {_select(_columns(con, mart))} from marts."{mart}" order by all').write_parquet(
                str(path), compression="zstd")
            written.append(path)
        return written
    finally:
        con.close()


def differences(db: Path, folder: Path = GOLDEN_DIR) -> list[str]:
    """One sentence per saved mart whose rows differ in `db` (a mart or a saved column missing is one): the
    mart, the column and the first differing row. Marts and columns not in the copy are not compared."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = []
        for path in sorted(folder.glob("*.parquet")):
            mart = path.stem
            saved = con.read_parquet(str(path))
            present = _columns(con, mart)
            missing = [c for c in saved.columns if c not in present]
            if not present or missing:
                found.append(f"marts.{mart}: " + ("the mart is missing" if not present
                                                  else f"column(s) {', '.join(missing)} missing"))
                continue
            before = con.execute("select * from read_parquet(?) order by all", [str(path)]).fetchall()
            now = con.execute(f'select {_select(saved.columns)} from marts."{mart}" order by all').fetchall()
            found += _first_difference(mart, saved.columns, before, now)
        return found
    finally:
        con.close()


def _first_difference(mart: str, columns: list[str], before: list[tuple], now: list[tuple]) -> list[str]:
    for number, (old, new) in enumerate(zip(before, now), start=1):
        for column, a, b in zip(columns, old, new):
            if a != b:
                row = dict(zip(columns, old))
                return [f"marts.{mart}.{column}: row {number} of {len(before)} (sorted by all columns) was {a!r}, "
                        f"is now {b!r}; saved row: {row}"]
    if len(before) != len(now):
        extra = now[len(before)] if len(now) > len(before) else before[len(now)]
        return [f"marts.{mart}: {len(before)} rows saved, {len(now)} now; first row only in the "
                f"{'new' if len(now) > len(before) else 'saved'} one: {dict(zip(columns, extra))}"]
    return []


def build_quick_start(folder: Path) -> Path:
    """Runs the quick start (`kbetl-dev quickstart`, what `make run` runs, as the tests' quickstart_warehouse
    runs it) of the checkout this file is in, into `folder`; returns the published analyst database."""
    working = folder / "kbetl-work.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBETL_")} | {"PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", "from devtools.cli import main; main()", "quickstart", "--db", str(working)],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return folder / "kbetl.duckdb"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for written in save(build_quick_start(Path(tmp))):
            print(written.relative_to(Path.cwd()) if written.is_relative_to(Path.cwd()) else written)
