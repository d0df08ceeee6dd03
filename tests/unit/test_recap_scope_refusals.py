"""A file is refused whole, with a sentence naming what contradicts what, rather than loaded under the
wrong scope or kind (issue 19, observations 4 and 6): a --region the title or the rows contradict, a total
row with none of its region rows, a file whose kind neither its title, its headers nor --kind tells."""

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


def test_a_region_option_outside_the_province_the_title_names_is_refused(tmp_path):
    path = write_kecamatan_recap(tmp_path / "r.csv", "REKAP PSA PROVINSI KALIMANTAN SELATAN TAHUN 2024", HST_ALL_ROWS)
    result = validate(str(path), "--region", "3402")
    assert result.exit_code == 1
    assert ("r.csv: --region 3402 menunjuk Kab. Bantul (3402), tetapi judul berkas menyebut KALIMANTAN SELATAN "
            "(Kalimantan Selatan, 63);") in result.output


@pytest.mark.parametrize("region", ["HST", "63.07", "Kabupaten Hulu Sungai Tengah"])
def test_a_region_option_naming_the_titles_kabupaten_its_own_way_is_taken(tmp_path, region):
    [recap] = stage_recap(write_kecamatan_recap(tmp_path / "r.csv", HST_FULL_TITLE, HST_ALL_ROWS), region=region).recaps
    assert (recap.parent_code, len(recap.accepted), len(recap.parent_figures)) == ("6307", 11, 1)


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


# --- the kind of a file -------------------------------------------------------------------------------------

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


def test_several_years_without_a_target_are_not_psa_even_if_the_title_says_so(tmp_path):
    path = write_users_by_method(tmp_path / "r.csv", title="REKAP PSA KABUPATEN BANTUL")
    assert stage_recap(path).refused.startswith(
        "r.csv: jenis laporannya tidak dapat ditentukan: judul atau judul kolomnya menyebut PSA ('psa'), tetapi "
        "berkas ini memuat 5 tahun (2020–2024) serta tidak memiliki kolom sasaran")
    assert {r.kind for r in stage_recap(path, kind="psa").recaps} == {"psa"}, "--kind psa is the officer's word"


@pytest.mark.parametrize("text, kind", [
    ("REKAPITULASI HASIL PELAYANAN KB SERENTAK KABUPATEN BANTUL TAHUN 2024\nKecamatan,Jumlah\nSewon,100", "psa"),
    ("REKAP SEJUTA AKSEPTOR KABUPATEN BANTUL 2024\nKecamatan,Jumlah\nSewon,100", "psa"),
    ("HASIL PELAYANAN KB HARGANAS XXXI KABUPATEN BANTUL 2024\nKecamatan,Jumlah\nSewon,100", "psa"),
    ("REKAP KABUPATEN BANTUL 2024\nKecamatan,Jumlah PSA\nSewon,100", "psa"),
    ("REKAP KABUPATEN BANTUL 2024\nKecamatan,Sasaran,Jumlah\nSewon,90,100", "psa"),  # one year and a target
    ("Kabupaten/Kota,Tahun,Target,Jumlah\nKab. Bantul,2024,90,100", "psa"),
    ("PESERTA KB AKTIF KABUPATEN BANTUL 2024\nKecamatan,Jumlah\nSewon,100", "current_users"),
    ("REKAP KABUPATEN BANTUL 2024\nKecamatan,PPM PA,Jumlah PA\nSewon,90,100", "current_users"),
])
def test_what_tells_the_kind(tmp_path, text, kind):
    path = tmp_path / "r.csv"
    path.write_text(text + "\n")
    item = stage_recap(path, region=None if "BANTUL" in text else "DIY")
    assert item.refused is None and [r.kind for r in item.recaps] == [kind]


@pytest.mark.parametrize("title, header, read", [
    ("REKAP KABUPATEN BANTUL 2024", "Kecamatan,Jumlah",
     "judulnya 'REKAP KABUPATEN BANTUL 2024' dan judul kolomnya (Kecamatan, Jumlah) tidak menyebut PSA"),
    ("REKAP PSA KABUPATEN BANTUL 2024", "Kecamatan,Peserta KB Aktif",
     "judul dan judul kolomnya menyebut PSA ('psa') sekaligus peserta KB aktif ('kb aktif')"),
])
def test_a_file_that_does_not_tell_its_kind_or_tells_both_is_refused_saying_what_was_read(tmp_path, title, header,
                                                                                        read):
    path = tmp_path / "r.csv"
    path.write_text(f"{title}\n{header}\nSewon,100\n")
    result = validate(str(path))
    assert result.exit_code == 1
    assert f"r.csv: jenis laporannya tidak dapat ditentukan: {read}" in result.output
    assert "berikan jenisnya dengan --kind psa" in result.output
    assert validate(str(path), "--kind", "current-users").exit_code == 0
