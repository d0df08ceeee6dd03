"""Files as the field holds them (issue 25): a table whose rows are years, what a file leaves unread said in
`validate` and in the ingest summary."""

from kbetl.reference.indonesian import id_number
from kbetl.reports.validation import validation_report
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.field_files import BANTUL_BY_YEAR, write_users_by_method, write_year_rows
from tests.helpers.recap_files import BANTUL_USERS


def test_the_total_column_of_a_year_row_is_checked_against_its_methods(tmp_path):
    path = write_year_rows(tmp_path / "tahunan.csv", wrong_total={2022: 25000})
    staged = stage_recap(path, region="Bantul", kind="current_users")
    report = validation_report(staged)
    assert "tahun laporan 2022, laporan peserta KB aktif Kab. Bantul (3402), baris berisi tahun" in report
    summed = sum(BANTUL_BY_YEAR[2022])
    assert (f"temuan methods_vs_total: baris 4 (2022), kolom Total_Peserta: angka metode berjumlah "
            f"{id_number(summed)}, tetapi kolom jumlah menulis 25.000") in report
    assert "1 baris dibaca: 1 diterima (baris tahun itu, angka Kab. Bantul), 0 ditolak" in report
    assert [len(r.findings) for r in staged.recaps] == [0, 0, 1, 0, 0]


def test_a_table_whose_rows_are_years_takes_its_region_and_kind_from_its_title(tmp_path):
    path = write_year_rows(tmp_path / "tahunan.csv", title="JUMLAH PESERTA KB AKTIF KABUPATEN BANTUL 2020-2024")
    staged = stage_recap(path)
    assert staged.refused is None
    assert [(r.kind, r.campaign_year, r.parent_code, r.row_level) for r in staged.recaps] == [
        ("current_users", year, "3402", "district") for year in BANTUL_BY_YEAR]
    assert staged.rows_read == 7 and staged.rows_skipped == 2


def test_a_table_whose_rows_are_years_without_a_region_asks_for_region(tmp_path):
    staged = stage_recap(write_year_rows(tmp_path / "tahunan.csv"), kind="current_users")
    assert staged.refused == (
        "tahunan.csv: baris-barisnya berisi tahun (kolom Tahun) tanpa kolom wilayah, dan judulnya tidak menyebut "
        "wilayahnya; sebutkan wilayah yang angkanya dimuat berkas ini dengan --region (nama atau kode, misalnya "
        "--region 3402)")


def test_a_row_summing_the_years_is_skipped_and_counted(tmp_path):
    path = write_year_rows(tmp_path / "tahunan.csv")
    path.write_text(path.read_text() + "Jumlah,1,1,1,1,1,1,1,7\n")
    staged = stage_recap(path, region="Bantul", kind="current_users")
    assert len(staged.recaps) == 5
    assert "7 baris = 5 diterima + 0 ditolak + 2 dilewati (1 judul kolom, 1 jumlah semua tahun)" in \
        validation_report(staged)


def test_thousands_dots_and_a_trailing_comma_read_the_same_figures_and_the_stray_column_is_listed(tmp_path):
    plain = stage_recap(write_users_by_method(tmp_path / "plain.csv"), region="3402", kind="current_users")
    dotted = stage_recap(write_users_by_method(tmp_path / "dotted.csv", dotted=True, trailing=True),
                         region="3402", kind="current_users")
    figures = [r.accepted.drop(columns="source_row").to_dict("records") for r in plain.recaps]
    assert figures == [r.accepted.drop(columns="source_row").to_dict("records") for r in dotted.recaps]
    assert plain.recaps[0].accepted["injectable"].tolist() == [u * 50 // 100 * 10 for u in BANTUL_USERS.values()]
    assert plain.recap.extract.ignored_columns == []
    report = validation_report(dotted)
    assert "kolom yang tidak dipakai: kolom ke-5 tanpa judul (contoh '17' di baris 8; 1 sel terisi)" in report
    assert "kolom yang tidak dipakai" not in validation_report(plain)


def test_a_year_asked_for_of_a_multi_year_file_lists_the_years_skipped(tmp_path):
    staged = stage_recap(write_users_by_method(tmp_path / "long.csv"), year=2022, region="3402",
                         kind="current_users")
    assert [r.campaign_year for r in staged.recaps] == [2022]
    assert ("tahun yang dilewati (hanya tahun 2022 yang dibaca): 2020 (5 baris wilayah), 2021 (5 baris wilayah), "
            "2023 (5 baris wilayah), 2024 (5 baris wilayah)") in validation_report(staged)
    assert "tahun yang dilewati" not in validation_report(
        stage_recap(write_users_by_method(tmp_path / "long.csv"), region="3402", kind="current_users"))


