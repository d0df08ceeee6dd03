"""What docs/operations.md says of a backfill with nothing to load: the year fails in a sentence, and the command
exits 1 with it. (The document's commands that deploy, pull and backfill are run as written by
tests/integration/test_scale_out.py, on the cluster they start.)"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbetl.runs import backfill
from kbetl.sources.report_api.client import URL_ENV
from tests.helpers.warehouse import SAMPLE_DIR, query

pytestmark = pytest.mark.prefect

def test_a_backfill_year_with_neither_recaps_nor_an_api_fails_in_a_sentence(tmp_path, monkeypatch):
    monkeypatch.delenv(URL_ENV, raising=False)
    recaps = tmp_path / "archive"
    (recaps / "2022").mkdir(parents=True)
    shutil.copy(SAMPLE_DIR / "2022" / "17_bengkulu.csv", recaps / "2022")
    failed, published = backfill(tmp_path / "w.duckdb", [2022, 2023], None, recaps, None, tmp_path / "p.duckdb")
    assert failed == [f"2023: tidak ada yang dapat dimuat: folder rekap {recaps / '2023'} tidak ada dan alamat API "
                      f"laporan tidak diberikan (--api-url atau ${URL_ENV} di mesin yang menjalankannya)"]
    assert published is None and not (tmp_path / "p.duckdb").exists()
    assert query(tmp_path / "w.duckdb", "select distinct campaign_year from marts.recap_files") == [(2022,)]


def test_the_backfill_command_with_nothing_to_load_exits_1_with_the_sentence(tmp_path):
    # the tests' Prefect server (the sentence comes after Prefect starts; its temporary server only adds seconds)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KBETL_")},
           "PREFECT_HOME": str(tmp_path / "prefect")}
    done = subprocess.run([Path(sys.executable).parent / "kbetl", "backfill", "--years", "2022", "--db",
                           str(tmp_path / "w.duckdb")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("2022: tidak ada yang dapat dimuat: tidak ada folder rekap (--recap-dir) dan alamat API laporan tidak "
            "diberikan") in done.stderr
    assert "Traceback" not in done.stderr
