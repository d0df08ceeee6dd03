"""`kbetl ingest FILE --year 2022 --region Bantul` on a portal's export of current users per kapanewon: a real
flow run, then the published file read back as an analyst would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbetl.warehouse.publish import published_path
from tests.helpers.recap_files import BANTUL_KAPANEWON, write_bantul_current_users
from tests.helpers.warehouse import query

pytestmark = pytest.mark.prefect
KBETL = Path(sys.executable).parent / "kbetl"


def test_ingest_command_with_year_and_region_fills_current_users_and_publishes(db, tmp_path):
    export = write_bantul_current_users(tmp_path / "kb_aktif_bantul_2022.csv")
    result = subprocess.run([KBETL, "ingest", str(export), "--year", "2022", "--region", "Bantul", "--db", str(db)],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "1 berkas dimuat, 0 tidak berubah, 0 ditolak; 17 baris diterima, 0 dikarantina, 0 temuan" in result.stdout
    published = published_path(db)
    rows = query(published, "select level, region_code, current_users from marts.current_users "
                            "where region_code like '3402%' order by region_code")
    assert rows[0] == ("regency", "3402", sum(users for _, _, users in BANTUL_KAPANEWON))
    assert [r[0] for r in rows[1:]] == ["district"] * 17
    assert query(published, "select count(*) from marts.achievement") == [(0,)]
    assert query(published, "select comment from duckdb_tables() where table_name = 'current_users'")[0][0] \
        .startswith("Current users of contraception (peserta KB aktif)")


def test_validate_command_names_the_kind_and_a_kabupaten_code_that_contradicts_its_name(tmp_path):
    export = write_bantul_current_users(tmp_path / "kb_aktif_bantul_2022.csv")
    export.write_text(export.read_text().replace("3402,BANTUL,Srandakan", "3404,BANTUL,Srandakan", 1))
    result = subprocess.run([KBETL, "validate", str(export)], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=300)
    assert result.returncode == 1, result.stderr[-2000:]
    out = result.stdout
    assert "tahun laporan 2022, laporan peserta KB aktif Kab. Bantul (3402), baris berisi kecamatan" in out
    assert "tahun laporan 2022, laporan peserta KB aktif Kab. Sleman (3404), baris berisi kecamatan" in out
    assert ("temuan code_vs_name: baris 2: kabupaten/kota baris-baris ini adalah Kab. Sleman (3404), tetapi kolom "
            "nama kabupaten/kota menyebut BANTUL (3402); baris dihitung di bawah 3404, jadi perbaiki mana yang "
            "salah") in out
    assert ("baris 2, kolom kapanewon: nama wilayah 'Srandakan' bukan kecamatan di wilayah 3404, melainkan "
            "Srandakan (340201)") in out
