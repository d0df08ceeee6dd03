"""Refused whole, in the warehouse too: a file whose --region the title or the rows contradict, whose total row
has none of its region rows, or whose kind nothing tells loads nothing under a wrong scope or kind, says why in
audit.refused_files or the quarantine, and leaves the marts as they were (issue 19, observations 4 and 6)."""

import pytest
from click.testing import CliRunner

from kbetl.cli import cli
from kbetl.runs import load_recaps
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import (
    HST_ALL_ROWS,
    HST_FULL_TITLE,
    LONG_SPELLINGS,
    kecamatan_row,
    write_kecamatan_recap,
    write_users_by_method,
)
from tests.helpers.warehouse import SAMPLE_DIR, ingest, query

# two provinces of the sample, so that a national ranking exists; DI Yogyakarta has no recap of its own
OTHER_PROVINCES_2024 = (SAMPLE_DIR / "2024" / "17_bengkulu.csv", SAMPLE_DIR / "2024" / "63_kalimantan_selatan.csv")


def load(db, path, **options):
    return load_recaps(db, [stage_recap(path, **options)], "test")


def validate(*args: str):
    return CliRunner().invoke(cli, ["validate", *args])


def bantul_and_diy(db) -> list[tuple]:
    return query(db, "select region_code, figures_from from marts.achievement where region_code in ('3402', '34') "
                     "order by 1")


def test_a_region_option_the_title_contradicts_refuses_the_file_naming_both(db, tmp_path):
    ingest(db, *OTHER_PROVINCES_2024)
    hst = write_kecamatan_recap(tmp_path / "psa_hst_2024.csv", HST_FULL_TITLE, HST_ALL_ROWS)
    summary = ingest(db, hst, region="3402")
    assert summary.status == "succeeded_with_refused_files" and summary.results == []
    [(file_name, reason)] = query(db, "select file_name, reason from audit.refused_files")
    assert file_name == "psa_hst_2024.csv"
    assert reason.startswith("psa_hst_2024.csv: --region 3402 menunjuk Kab. Bantul (3402), tetapi judul berkas "
                             "menyebut KABUPATEN HULU SUNGAI TENGAH (Kab. Hulu Sungai Tengah, 6307); berkas ditolak "
                             "seluruhnya")
    assert bantul_and_diy(db) == []
    assert query(db, "select region_code from marts.ranking where campaign_year = 2024 and ranking = 'national' "
                     "order by rank") == [("63",), ("17",)]
    assert query(db, "select count(*) from marts.recap_files where scope_code = '3402'") == [(0,)]
    result = validate(str(hst), "--region", "3402")
    assert result.exit_code == 1
    assert f"DITOLAK {hst}\n  {reason}\n" in result.output


@pytest.mark.parametrize("title, region", [
    ("REKAPITULASI PSA 2024", "Bantul"),  # the title names no parent: the rows tell where they belong
    ("REKAPITULASI PSA KECAMATAN KABUPATEN BANTUL TAHUN 2024", None),  # the title itself names the wrong one
])
def test_rows_of_another_kabupaten_refuse_the_file_naming_both(db, tmp_path, title, region):
    path = write_kecamatan_recap(tmp_path / "r.csv", title, HST_ALL_ROWS)
    summary = ingest(db, path, region=region)
    assert summary.results == [] and len(summary.refused) == 1
    given = "--region Bantul" if region else "judul berkas"
    assert summary.refused[0].refused.startswith(
        f"r.csv: {given} menyebut Kab. Bantul (3402) sebagai induk baris-barisnya, tetapi 11 dari 11 baris kecamatan "
        "adalah kecamatan Kab. Hulu Sungai Tengah (6307) (baris 4: 'Haruyan') dan hanya 0 yang ada di Kab. Bantul;")
    assert query(db, "select count(*) from audit.refused_files") == [(1,)] and bantul_and_diy(db) == []


def test_a_total_row_is_not_taken_when_none_of_its_region_rows_is(db, tmp_path):
    unknown = [kecamatan_row(f"Kecamatan {letter}", 100, 30, 10, 70, 20, 30) for letter in "ABC"]
    path = write_kecamatan_recap(tmp_path / "r.csv", "REKAP PSA KABUPATEN BANTUL TAHUN 2024", unknown)
    summary = ingest(db, path)
    assert [(r.rows_accepted, r.rows_quarantined) for r in summary.results] == [(0, 4)]
    assert query(db, "select source_row, check_name from audit.quarantine where check_name = 'total_without_regions'") \
        == [(7, "total_without_regions")]
    assert bantul_and_diy(db) == []
    result = validate(str(path))
    assert result.exit_code == 1
    assert ("baris 7, kolom Kecamatan: baris jumlah tidak dipakai sebagai angka Kab. Bantul (3402) karena tidak satu "
            "pun baris kecamatan berkas ini diterima;") in result.output


def test_a_long_file_of_several_years_without_a_target_or_a_word_of_its_kind_is_refused(db, tmp_path):
    path = write_users_by_method(tmp_path / "peserta_kb_bantul.csv")
    summary = load(db, path)
    assert summary.results == [] and len(summary.refused) == 1
    [(reason,)] = query(db, "select reason from audit.refused_files where file_name = 'peserta_kb_bantul.csv'")
    assert reason.startswith(
        "peserta_kb_bantul.csv: jenis laporannya tidak dapat ditentukan: judulnya 'DATA PESERTA KB MENURUT KECAMATAN "
        "DAN JENIS KONTRASEPSI KABUPATEN BANTUL' dan judul kolomnya (Kecamatan, Tahun, Jenis_Kontrasepsi, "
        "Jumlah_Peserta) tidak menyebut PSA (")
    assert ("berkas ini memuat 5 tahun (2020–2024) serta tidak memiliki kolom sasaran, sehingga tidak dapat dianggap "
            "rekap PSA") in reason and reason.endswith("berikan jenisnya dengan --kind psa (hasil pelayanan KB, rekap "
                                                      "PSA), --kind current-users (peserta KB aktif) atau --kind "
                                                      "new-users (peserta KB baru)")
    assert query(db, "select count(*) from marts.achievement") == [(0,)]
    result = validate(str(path))
    assert result.exit_code == 1 and reason in result.output

    told = load(db, path, kind="current_users")
    assert [r.status for r in told.results] == ["loaded"]
    assert query(db, "select count(*) from marts.achievement") == [(0,)]
    assert query(db, "select report_year, current_users from marts.current_users where region_code = '340215' "
                     "order by 1") == [(year, sum(11934 * share // 100 for _, share in LONG_SPELLINGS))
                                       for year in range(2020, 2025)]

