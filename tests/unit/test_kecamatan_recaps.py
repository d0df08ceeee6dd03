"""Kecamatan recaps from a kabupaten/kota office: the parent from the title or --region, names matched within
that kabupaten/kota on the map of the year, whatever a region calls its kecamatan."""

import pytest

from kbetl.sources.recaps.check import validate_recap
from kbetl.sources.recaps.read import RecapStructureError, read_recap
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import kecamatan_row, write_kecamatan_recap

HST_TITLE = "REKAPITULASI HASIL PELAYANAN KB PSA KABUPATEN HULU SUNGAI TENGAH TAHUN 2024"
HST_ROWS = [kecamatan_row("Haruyan", 400, 50, 10, 200, 60, 80), kecamatan_row("Batu Benawa", 300, 40, 10, 150, 50, 60),
            kecamatan_row("BARABAI", 900, 100, 20, 500, 150, 200, 10, 2)]
MERAUKE_ROWS = [kecamatan_row("Merauke", 400, 50, 10, 200, 60, 80),
                kecamatan_row("Distrik Muting", 100, 5, 5, 50, 10, 20),
                kecamatan_row("Ilwayab", 50, 5, 0, 30, 5, 5)]


def codes(item) -> list[tuple[str, str]]:
    return item.recap.accepted[["region_code", "region_name"]].values.tolist()


def test_recap_of_one_kabupatens_kecamatan_with_the_kabupaten_in_the_title(tmp_path):
    item = stage_recap(write_kecamatan_recap(tmp_path / "hst.csv", HST_TITLE, HST_ROWS))
    recap = item.recap
    assert (recap.campaign_year, recap.row_level, recap.parent_code, recap.parent_name) == (
        2024, "district", "6307", "Kab. Hulu Sungai Tengah")
    assert codes(item) == [["630701", "Haruyan"], ["630702", "Batu Benawa"], ["630706", "Barabai"]]
    assert recap.parent_figures[["region_code", "total"]].values.tolist() == [["6307", 1692]]
    assert recap.quarantine.empty
    missing = recap.findings.set_index("check_name").loc["missing_regions"]
    assert (missing["expected"], missing["actual"]) == (11, 3)
    assert missing["message"].startswith("8 dari 11 kecamatan tidak memiliki baris yang diterima: Labuan Amas Selatan")


def test_an_abbreviated_kabupaten_in_the_title(tmp_path):
    item = stage_recap(write_kecamatan_recap(tmp_path / "hst.csv", "Rekap PSA Kab. HST 2024 (update 5 Juni)", HST_ROWS,
                                             label="Kec."))
    assert (item.recap.parent_code, item.recap.row_level) == ("6307", "district")


@pytest.mark.parametrize("year, parent, expected", [
    (2021, "9401", [["940101", "Merauke"], ["940102", "Muting"], ["940120", "Ilwayab (Ilyawab)"]]),  # Papua, map 34
    (2024, "9301", [["930101", "Merauke"], ["930102", "Muting"], ["930120", "Ilwayab (Ilyawab)"]]),  # Papua Selatan
])
def test_distrik_of_a_papua_kabupaten_on_the_map_of_each_year(tmp_path, year, parent, expected):
    path = write_kecamatan_recap(tmp_path / "merauke.xlsx", f"REKAP PSA KABUPATEN MERAUKE TAHUN {year}",
                                 MERAUKE_ROWS, label="Distrik")
    item = stage_recap(path)
    assert (item.recap.map_version, item.recap.parent_code) == ("34" if year == 2021 else "38", parent)
    assert codes(item) == expected and item.recap.quarantine.empty


def test_a_kecamatan_named_like_its_kabupaten_is_the_kecamatan(tmp_path):
    rows = [kecamatan_row("Bantul", 900, 100, 20, 500, 150, 200),
            kecamatan_row("Kapanewon Sewon", 800, 80, 20, 400, 100, 150)]
    item = stage_recap(write_kecamatan_recap(tmp_path / "bantul.csv", "REKAP PSA KABUPATEN BANTUL TAHUN 2023", rows,
                                             label="Kapanewon"))
    assert codes(item) == [["340208", "Bantul"], ["340215", "Sewon"]]
    assert item.recap.parent_figures["region_code"].tolist() == ["3402"]


def test_both_spellings_the_register_gives_match(tmp_path):
    rows = [kecamatan_row("Bambang Lipuro", 900, 100, 20, 500, 150, 200),
            kecamatan_row("Gedong Tengen", 500, 50, 10, 300, 50, 60)]
    bantul = stage_recap(write_kecamatan_recap(tmp_path / "a.csv", "REKAP PSA KABUPATEN BANTUL TAHUN 2023", rows[:1]))
    register = stage_recap(write_kecamatan_recap(tmp_path / "b.csv", "REKAP PSA KABUPATEN BANTUL TAHUN 2023", [
        kecamatan_row("Bambanglipuro (Bambang Lipuro)", 900, 100, 20, 500, 150, 200)]))
    kota = stage_recap(write_kecamatan_recap(tmp_path / "c.csv", "REKAP PSA KOTA YOGYAKARTA TAHUN 2023", rows[1:],
                                             label="Kemantren"))
    assert codes(bantul) == codes(register) == [["340205", "Bambanglipuro (Bambang Lipuro)"]]
    assert codes(kota) == [["347105", "Gedongtengen (Gedong Tengen)"]]


def test_a_name_found_in_several_kabupaten_is_matched_only_inside_its_own(tmp_path):
    jetis = [kecamatan_row("Jetis", 800, 80, 20, 400, 100, 150)]
    in_bantul = stage_recap(write_kecamatan_recap(tmp_path / "bantul.csv", "REKAP PSA KABUPATEN BANTUL 2023", jetis))
    in_kota = stage_recap(write_kecamatan_recap(tmp_path / "kota.csv", "REKAP PSA KOTA YOGYAKARTA 2023", jetis,
                                                label="Kemantren"))
    in_sleman = stage_recap(write_kecamatan_recap(tmp_path / "sleman.csv", "REKAP PSA KABUPATEN SLEMAN 2023", jetis,
                                                  label="Kapanewon"))
    assert codes(in_bantul) == [["340209", "Jetis"]] and codes(in_kota) == [["347102", "Jetis"]]
    assert in_sleman.recap.accepted.empty and in_sleman.recap.parent_figures.empty
    [problem, total] = in_sleman.recap.quarantine.itertuples()
    assert (total.source_row, total.check_name) == (5, "total_without_regions"), "no kapanewon of Sleman accepted"
    assert (problem.source_row, problem.check_name) == (4, "known_region")
    assert problem.message.startswith("baris 4, kolom Kapanewon: nama wilayah 'Jetis' bukan kecamatan di wilayah "
                                      "3404, melainkan Jetis (340209), Jetis (347102), Jetis (350209), Jetis (351616)")


@pytest.mark.parametrize("label", ["Kecamatan", "Kec.", "Distrik", "Kapanewon", "Kemantren", "Balai KB", "Wilayah"])
def test_whatever_a_region_calls_its_kecamatan(tmp_path, label):
    item = stage_recap(write_kecamatan_recap(tmp_path / "hst.csv", HST_TITLE, HST_ROWS, label=label))
    assert item.recap.row_level == "district" and len(item.recap.accepted) == 3


def test_the_kabupaten_given_with_region_by_name_or_code(tmp_path):
    path = write_kecamatan_recap(tmp_path / "hst.csv", "REKAPITULASI PSA 2024", HST_ROWS)
    for region in ("Hulu Sungai Tengah", "HST", "6307", "63.07"):
        assert stage_recap(path, region=region).recap.parent_code == "6307", region
    wilayah = write_kecamatan_recap(tmp_path / "w.csv", "REKAPITULASI PSA 2024", HST_ROWS, label="Wilayah")
    assert stage_recap(wilayah, region="Kab. Hulu Sungai Tengah").recap.row_level == "district"


@pytest.mark.parametrize("region, candidates", [
    ("Bandung", "Kab. Bandung (3204), Kota Bandung (3273)"),  # a kabupaten and a kota
    ("Banjar", "Kota Banjar (3279), Kab. Banjar (6303)"),  # in two provinces
])
def test_a_parent_name_that_fits_two_regions_is_refused_with_candidates(tmp_path, region, candidates):
    path = write_kecamatan_recap(tmp_path / "r.csv", "REKAPITULASI PSA 2024", HST_ROWS)
    item = stage_recap(path, region=region)
    assert item.recap is None
    assert item.refused == (f"r.csv: kabupaten/kota induk: nama wilayah {region!r} cocok dengan 2 wilayah: "
                            f"{candidates}; berikan kodenya dengan --region")


def test_a_title_naming_the_province_too_settles_a_shared_name(tmp_path):
    rows = [kecamatan_row("Martapura", 900, 100, 20, 500, 150, 200)]
    item = stage_recap(write_kecamatan_recap(tmp_path / "banjar.csv",
                                             "REKAP PSA KABUPATEN BANJAR PROVINSI KALIMANTAN SELATAN TAHUN 2024", rows))
    assert item.recap.parent_code == "6303"


def test_kecamatan_rows_without_a_kabupaten_are_refused(tmp_path):
    path = write_kecamatan_recap(tmp_path / "r.csv", "REKAPITULASI PSA 2024", HST_ROWS)
    with pytest.raises(RecapStructureError, match="r.csv: baris-barisnya berisi kecamatan, tetapi judulnya tidak "
                                                  "menyebut kabupaten/kota; sebutkan kabupaten/kota itu dengan "
                                                  "--region"):
        validate_recap(read_recap(path))
