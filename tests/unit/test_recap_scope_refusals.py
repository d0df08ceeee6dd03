"""A file is refused whole, with a sentence naming what contradicts what, rather than loaded under the
wrong scope or kind (issue 19, observations 4 and 6): a --region the title or the rows contradict, a total
row with none of its region rows, a file whose kind neither its title, its headers nor --kind tells."""

import pytest
from click.testing import CliRunner

from kbetl.cli import cli
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import (
    HST_ALL_ROWS,
    HST_FULL_TITLE,
    write_kecamatan_recap,
    write_users_by_method,
)


def validate(*args: str):
    return CliRunner().invoke(cli, ["validate", *args])


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


# --- the kind of a file -------------------------------------------------------------------------------------


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
