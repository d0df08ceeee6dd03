"""Open-data exports as Satu Data portals publish them: snake_case headers, region codes in columns (checked
against the names), decimal commas in quotes and bare integer percentages, the long (tidy) format with a year
column, and the kind of report read from the headers."""

import pytest

from kbetl.sources.recaps.read import read_recap
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import (
    BANTUL_KAPANEWON,
    bantul_method_split,
    write_bantul_current_users,
    write_long_export,
)


def test_a_current_users_export_per_kapanewon_with_snake_case_headers(tmp_path):
    path = write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv")
    extract = read_recap(path)
    assert (extract.kind, extract.row_level, extract.campaign_year) == ("current_users", "district", None)
    assert extract.columns == {"year": "tahun", "region_code": "kode_kabupaten_kota", "region": "kapanewon",
                               "iud": "metode_kb_aktif_iud", "mow": "metode_kb_aktif_mow", "mop": "metode_kb_aktif_mop",
                               "implant": "metode_kb_aktif_implan", "injectable": "metode_kb_aktif_suntik",
                               "pill": "metode_kb_aktif_pil", "condom": "metode_kb_aktif_kondom",
                               "total": "jumlah_peserta_kb_aktif", "target": "target_peserta_kb_aktif",
                               "pct": "persentase_peserta_kb_aktif"}
    assert [c.label for c in extract.ignored_columns] == ["satuan"]
    pct = dict(zip(extract.rows["region_name"], extract.rows["pct"]))
    assert (pct["Srandakan"], pct["Sanden"], pct["Pajangan"]) == (76.0, 85.25, 85.3), "76, '85,25', '85,3'"
    assert set(extract.rows["report_year"]) == {2022} and set(extract.rows["parent_reported"]) == {"3402"}


def test_the_export_checks_as_a_recap_does_and_conforms_every_kapanewon(tmp_path):
    item = stage_recap(write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv"), year=2022, region="Bantul")
    [recap] = item.recaps
    assert (recap.kind, recap.campaign_year, recap.parent_code, recap.row_level) == ("current_users", 2022, "3402",
                                                                                   "district")
    assert recap.quarantine.empty and recap.findings.empty, recap.findings["message"].tolist()
    assert recap.accepted["region_code"].tolist() == [f"3402{i:02d}" for i in range(1, 18)]
    assert recap.accepted["achieved"].sum() == sum(users for _, _, users in BANTUL_KAPANEWON)


def test_without_region_the_parent_comes_from_the_kabupaten_code_column(tmp_path):
    [recap] = stage_recap(write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv")).recaps
    assert (recap.parent_code, recap.campaign_year) == ("3402", 2022)


def test_cross_checks_apply_to_current_users_too(tmp_path):
    path = write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv")
    text = path.read_text().replace(",3800,5000,76,", ",3900,5000,76,")  # total no longer the methods' sum
    path.write_text(text)
    [recap] = stage_recap(path, region="Bantul").recaps
    assert sorted(recap.findings["check_name"]) == ["methods_vs_total", "stated_pct"]


def test_a_long_export_with_two_years_is_pivoted_into_one_part_per_year(tmp_path):
    path = write_long_export(tmp_path / "kb_aktif_long.csv", {2021: {"Srandakan": 3700, "Sanden": 4400},
                                                               2022: {"Srandakan": 3800, "Sanden": 4433}})
    item = stage_recap(path, kind="current_users")
    assert [(r.campaign_year, r.map_version, r.parent_code, r.kind) for r in item.recaps] == [
        (2021, "34", "3402", "current_users"), (2022, "34", "3402", "current_users")]
    latest = item.recaps[1].accepted.set_index("region_code")
    assert latest.loc["340202", ["iud", "implant", "injectable", "achieved"]].tolist() == [
        bantul_method_split(4433)[m] for m in ("iud", "implant", "injectable")] + [4433]
    assert item.recaps[1].accepted["source_row"].tolist() == [16, 23], "the first row of each kapanewon's block"
    assert all(r.quarantine.empty for r in item.recaps)


def test_year_option_keeps_only_that_years_rows_of_a_long_export(tmp_path):
    path = write_long_export(tmp_path / "kb_aktif_long.csv", {2021: {"Srandakan": 3700}, 2022: {"Srandakan": 3800}})
    item = stage_recap(path, year=2022, kind="current_users")
    assert [r.campaign_year for r in item.recaps] == [2022]
    assert [r for r in item.recap.extract.skipped_rows if r[1] == "other_year"][0] == (
        2, "other_year", "Srandakan: tahun 2021, bukan 2022")


def test_a_method_the_contract_does_not_know_rejects_that_kapanewon(tmp_path):
    path = write_long_export(tmp_path / "kb_aktif_long.csv", {2022: {"Srandakan": 3800, "Sanden": 4433}})
    path.write_text(path.read_text().replace("Srandakan,Kondom", "Srandakan,MAL"))
    [recap] = stage_recap(path, kind="current_users").recaps
    assert recap.accepted["region_code"].tolist() == ["340202"]
    [problem] = recap.quarantine.itertuples()
    assert (problem.source_row, problem.check_name, problem.value) == (2, "known_method", "MAL")
    assert problem.message.startswith("baris 8, kolom metode_kontrasepsi: 'MAL' bukan metode yang dikenal")


def write_coded(path, code: str, name: str):
    path.write_text("REKAP PSA KABUPATEN BANTUL 2023\nkode_kecamatan;kecamatan;target;jumlah\n"
                    f"{code};{name};1.000;900\n34.02.15;Sewon;800;700\n")
    return path


@pytest.mark.parametrize("code", ["340208", "34.02.08", "3402080"])  # Kemendagri, dotted, BPS (7 digits)
def test_a_code_column_in_any_style_is_used(tmp_path, code):
    [recap] = stage_recap(write_coded(tmp_path / "r.csv", code, "Bantul")).recaps
    assert recap.accepted["region_code"].tolist() == ["340208", "340215"] and recap.findings["check_name"].tolist() \
        == ["missing_regions"]


def test_a_code_that_contradicts_its_name_is_a_finding(tmp_path):
    [recap] = stage_recap(write_coded(tmp_path / "r.csv", "340209", "Bantul")).recaps
    assert recap.accepted["region_code"].tolist() == ["340209", "340215"]
    finding = recap.findings.set_index("check_name").loc["code_vs_name"]
    assert finding["message"] == ("baris 3 (Bantul), kolom kode_kecamatan: kode 340209 adalah Jetis (340209), tetapi "
                                  "namanya menunjuk Bantul (340208); baris dihitung menurut kodenya, jadi perbaiki "
                                  "mana yang salah")


def test_a_code_the_register_does_not_know_falls_back_to_the_name_with_a_finding(tmp_path):
    [recap] = stage_recap(write_coded(tmp_path / "r.csv", "349999", "Bantul")).recaps
    assert recap.accepted["region_code"].tolist() == ["340208", "340215"]
    message = recap.findings.set_index("check_name").loc["code_unknown", "message"]
    assert message.startswith("baris 3 (Bantul), kolom kode_kecamatan: kode 349999 bukan kode kecamatan di wilayah 3402"
                              " pada peta tahun ini, sehingga baris dicocokkan menurut namanya")


def test_kind_option_overrides_the_headers(tmp_path):
    path = write_coded(tmp_path / "r.csv", "340208", "Bantul")
    assert stage_recap(path).recap.kind == "psa"
    assert stage_recap(path, kind="current_users").recap.kind == "current_users"


def test_a_total_row_without_year_and_parent_joins_the_rows_that_have_them(tmp_path):
    path = write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv")
    users = sum(u for _, _, u in BANTUL_KAPANEWON)
    path.write_text(path.read_text() + f",,,,,JUMLAH,,,,,,,,{users},,,\n")
    [recap] = stage_recap(path).recaps
    assert (recap.campaign_year, recap.parent_code) == (2022, "3402")
    assert recap.parent_figures[["region_code", "total"]].values.tolist() == [["3402", users]]
    assert recap.quarantine.empty and recap.findings.empty
