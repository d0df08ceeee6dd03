"""`kbetl ingest FILE --region 3402` on a Hulu Sungai Tengah kecamatan recap (issue 19, observation 4): real
flow runs, then the published file read back. The file is refused whole, exit 1, and Kab. Bantul and
DI Yogyakarta get no figures from it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbetl.warehouse.publish import published_path
from tests.helpers.recap_files import HST_ALL_ROWS, HST_FULL_TITLE, write_kecamatan_recap
from tests.helpers.warehouse import SAMPLE_DIR, query

pytestmark = pytest.mark.prefect
KBETL = Path(sys.executable).parent / "kbetl"
OTHER_PROVINCES_2024 = (SAMPLE_DIR / "2024" / "17_bengkulu.csv", SAMPLE_DIR / "2024" / "63_kalimantan_selatan.csv")


def kbetl(*args) -> subprocess.CompletedProcess:
    return subprocess.run([KBETL, *map(str, args)], capture_output=True, text=True, env=os.environ.copy(),
                          timeout=300)


def test_ingest_with_a_region_the_title_contradicts_exits_1_and_publishes_nothing_of_the_file(db, tmp_path):
    base = kbetl("ingest", *OTHER_PROVINCES_2024, "--db", db)
    assert base.returncode == 0, base.stderr[-2000:]
    hst = write_kecamatan_recap(tmp_path / "psa_hst_2024.csv", HST_FULL_TITLE, HST_ALL_ROWS)
    result = kbetl("ingest", hst, "--region", "3402", "--db", db)
    assert result.returncode == 1, result.stderr[-2000:]
    reason = ("psa_hst_2024.csv: --region 3402 menunjuk Kab. Bantul (3402), tetapi judul berkas menyebut KABUPATEN "
              "HULU SUNGAI TENGAH (Kab. Hulu Sungai Tengah, 6307); berkas ditolak seluruhnya")
    assert "0 berkas dimuat, 0 tidak berubah, 1 ditolak; 0 baris diterima" in result.stdout
    assert f"ditolak: {reason}" in result.stdout
    assert [r[0][:len(reason)] for r in query(db, "select reason from audit.refused_files")] == [reason]
    published = published_path(db)
    assert query(published, "select count(*) from marts.achievement where region_code in ('3402', '34')") == [(0,)]
    assert query(published, "select region_code from marts.ranking where campaign_year = 2024 "
                            "and ranking = 'national' order by rank") == [("63",), ("17",)]
