"""Kecamatan recaps in the marts: district rows, a kabupaten/kota from its kecamatan, partial sums marked, the
'regency' ranking, versions per kabupaten/kota, and no district row in the province and national tables."""

from decimal import Decimal

from kbetl.runs import load_recaps
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import kecamatan_row, write_kecamatan_recap
from tests.helpers.warehouse import ingest, query

HST_TITLE = "REKAPITULASI HASIL PELAYANAN KB PSA KABUPATEN HULU SUNGAI TENGAH TAHUN 2024"
HST_ROWS = [kecamatan_row("Haruyan", 400, 50, 10, 200, 60, 80), kecamatan_row("Batu Benawa", 300, 40, 10, 150, 50, 60),
            kecamatan_row("Barabai", 900, 100, 20, 500, 150, 200, 10, 2)]
FIGURES = ("select level, region_code, target, achieved, achievement_pct, figures_from, children_reported, "
           "children_expected, is_partial from marts.achievement where campaign_year = ? and region_code in ? "
           "order by region_code")


def test_kecamatan_rows_and_their_kabupaten_from_the_total_row(db, tmp_path):
    ingest(db, write_kecamatan_recap(tmp_path / "hst.csv", HST_TITLE, HST_ROWS))
    assert query(db, FIGURES, [2024, ["00", "63", "6307", "630701", "630706"]]) == [
        ("national", "00", 1600, 1692, Decimal("105.75"), "sum_of_provinces", 1, 38, True),
        ("province", "63", 1600, 1692, Decimal("105.75"), "sum_of_regencies", 1, 13, True),
        ("regency", "6307", 1600, 1692, Decimal("105.75"), "total_row", None, None, False),
        ("district", "630701", 400, 400, 100, "reported", None, None, False),
        ("district", "630706", 900, 982, Decimal("109.11"), "reported", None, None, False),
    ]
    assert query(db, "select parent_code, current_region_code, mkjp_achieved from marts.achievement "
                     "where region_code = '630706'") == [("6307", "630706", 362)]


def test_a_kabupaten_without_a_total_row_is_the_sum_of_its_kecamatan_marked_partial(db, tmp_path):
    ingest(db, write_kecamatan_recap(tmp_path / "hst.csv", HST_TITLE, HST_ROWS, total_label=None))
    assert query(db, FIGURES, [2024, ["6307"]]) == [
        ("regency", "6307", 1600, 1692, Decimal("105.75"), "sum_of_districts", 3, 11, True)]


def test_a_kabupaten_whose_every_kecamatan_reported_is_not_partial(db, tmp_path):
    names = ["Srandakan", "Sanden", "Kretek", "Pundong", "Bambanglipuro", "Pandak", "Pajangan", "Bantul", "Jetis",
             "Imogiri", "Dlingo", "Banguntapan", "Pleret", "Piyungan", "Sewon", "Kasihan", "Sedayu"]
    rows = [kecamatan_row(n, 100, 10, 0, 50, 20, 20) for n in names]
    ingest(db, write_kecamatan_recap(tmp_path / "bantul.csv", "REKAP PSA KABUPATEN BANTUL 2023", rows,
                                     total_label=None))
    assert query(db, FIGURES, [2023, ["3402"]]) == [
        ("regency", "3402", 1700, 1700, 100, "sum_of_districts", 17, 17, False)]


def test_a_kabupaten_in_a_provincial_recap_keeps_its_own_row_over_its_kecamatan(db, tmp_path):
    ingest(db, write_kecamatan_recap(tmp_path / "hst.csv", HST_TITLE, HST_ROWS))
    province = tmp_path / "kalsel.csv"
    province.write_text("REKAP PSA PROVINSI KALIMANTAN SELATAN TAHUN 2024\nNo;Kabupaten/Kota;Target;Jumlah\n"
                        "1;HST;2.000;2.100\n")
    ingest(db, province)
    assert query(db, FIGURES, [2024, ["6307"]]) == [("regency", "6307", 2000, 2100, 105, "reported", None, None, False)]
    assert query(db, "select count(*) from marts.achievement where level = 'district' and campaign_year = 2024") \
        == [(3,)]


def test_a_corrected_kecamatan_recap_supersedes_only_its_own_kabupaten(db, tmp_path):
    bantul = [kecamatan_row("Bantul", 900, 100, 20, 500, 150, 200)]
    kota = [kecamatan_row("Jetis", 500, 50, 10, 300, 50, 60)]
    ingest(db, write_kecamatan_recap(tmp_path / "bantul_v1.csv", "REKAP PSA KABUPATEN BANTUL 2023", bantul),
           write_kecamatan_recap(tmp_path / "kota_v1.csv", "REKAP PSA KOTA YOGYAKARTA 2023", kota, label="Kemantren"))
    corrected = [kecamatan_row("Bantul", 900, 100, 20, 600, 150, 200)]
    ingest(db, write_kecamatan_recap(tmp_path / "bantul_v2.csv", "REKAP PSA KABUPATEN BANTUL 2023", corrected))
    assert query(db, "select file_name, scope_code, row_level, version, is_current from marts.recap_files "
                     "order by file_name") == [("bantul_v1.csv", "3402", "district", 1, False),
                                               ("bantul_v2.csv", "3402", "district", 2, True),
                                               ("kota_v1.csv", "3471", "district", 1, True)]
    assert query(db, "select region_code, achieved, source_file from marts.achievement "
                     "where level = 'district' order by region_code") == [
        ("340208", 1070, "bantul_v2.csv"), ("347102", 470, "kota_v1.csv")]


def test_regency_ranking_ranks_kecamatan_within_their_kabupaten_ties_sharing_a_rank(db, tmp_path):
    rows = [kecamatan_row("Haruyan", 100, 10, 0, 80, 10, 10),  # 110%
            kecamatan_row("Batu Benawa", 200, 20, 0, 160, 20, 20),  # 110%, more served
            kecamatan_row("Barabai", 100, 10, 0, 100, 10, 10),  # 130%
            kecamatan_row("Pandawan", 100, 10, 0, 50, 10, 10)]  # 80%
    ingest(db, write_kecamatan_recap(tmp_path / "hst.csv", HST_TITLE, rows))
    assert query(db, "select scope_code, scope_name, region_name, level, rank, position, achievement_pct "
                     "from marts.ranking where ranking = 'regency' order by position") == [
        ("6307", "Kab. Hulu Sungai Tengah", "Barabai", "district", 1, 1, 130),
        ("6307", "Kab. Hulu Sungai Tengah", "Batu Benawa", "district", 2, 2, 110),
        ("6307", "Kab. Hulu Sungai Tengah", "Haruyan", "district", 2, 3, 110),
        ("6307", "Kab. Hulu Sungai Tengah", "Pandawan", "district", 4, 4, 80)]
    assert query(db, "select ranking, level, count(*) from marts.ranking group by all order by all") == [
        ("national", "province", 1), ("province", "regency", 1), ("regency", "district", 4)]


def test_district_rows_stay_out_of_group_achievement(db, tmp_path):
    ingest(db, write_kecamatan_recap(tmp_path / "hst.csv", HST_TITLE, HST_ROWS))
    assert query(db, "select distinct regions + outside_regions from marts.group_achievement "
                     "where campaign_year = 2024") == [(1,)]


def test_kecamatan_of_a_papua_kabupaten_in_2021_are_on_todays_map_through_the_crosswalk(db, tmp_path):
    rows = [kecamatan_row("Merauke", 400, 50, 10, 200, 60, 80)]
    path = write_kecamatan_recap(tmp_path / "merauke.csv", "REKAP PSA KABUPATEN MERAUKE TAHUN 2021", rows,
                                 label="Distrik")
    load_recaps(db, [stage_recap(path)], "test")
    assert query(db, "select region_code, parent_code, current_region_code from marts.achievement "
                     "where level in ('district', 'regency') order by region_code") == [
        ("9401", "94", "9301"), ("940101", "9401", "930101")]
