"""Analysts open the working and the published warehouse with the DuckDB 1.x command line."""

import subprocess
import sys
from pathlib import Path

import duckdb

from tests.helpers.warehouse import SAMPLE_DIR, ingest, publish_recaps

BENGKULU_2022 = SAMPLE_DIR / "2022" / "17_bengkulu.csv"


def test_analyst_opens_the_warehouse_with_the_duckdb_1_x_command_line(db):
    ingest(db, BENGKULU_2022)
    cli = Path(sys.executable).parent / "duckdb"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1."), version
    result = subprocess.run(
        [cli, "-readonly", "-csv", str(db), "-c",
         "select region_code, achievement_pct from marts.ranking where ranking = 'national' order by rank"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["region_code,achievement_pct", "17,144.40"]


def test_published_file_opens_in_the_duckdb_1_x_command_line(db):
    published = publish_recaps(db, BENGKULU_2022).published
    cli = Path(sys.executable).parent / "duckdb"
    result = subprocess.run([cli, "-readonly", "-csv", str(published), "-c",
                             "select region_code, achievement_pct from marts.ranking where ranking = 'national'"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["region_code,achievement_pct", "17,144.40"]
    assert duckdb.__version__.startswith("2."), "and kbetl itself runs on DuckDB 2"
