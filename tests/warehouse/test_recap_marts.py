"""Marts read back from recap files: where a province's figures come from, how ties are ranked."""

from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252
from tests.helpers.warehouse import ingest, query


def test_province_figures_come_from_its_own_row_then_total_row_then_sum_of_regencies(db, tmp_path):
    no_total = write_semicolon_cp1252(tmp_path / "bengkulu.csv", bengkulu_rows(
        "Bengkulu Selatan;1.000;;;;;;;;1.100;", "Kota Bengkulu;1.000;;;;;;;;900;"))
    ingest(db, no_total)
    province = "select target, achieved, achievement_pct, figures_from from marts.achievement where region_code = '17'"
    assert query(db, province) == [(2000, 2000, 100, "sum_of_regencies")]

    national = tmp_path / "nasional.csv"
    national.write_text("REKAPITULASI NASIONAL TAHUN 2022\nNo;Provinsi;Target;Capaian;%\n"
                        "1;Bengkulu;2.500;2.100;84,00\n")
    ingest(db, national)
    assert query(db, province) == [(2500, 2100, 84, "reported")]
    assert query(db, "select target, achieved, figures_from from marts.achievement where region_code = '00'") == [
        (2500, 2100, "sum_of_provinces")]


def test_ties_share_a_rank_and_position_breaks_them_by_achieved(db, tmp_path):
    path = tmp_path / "nasional.csv"
    path.write_text("REKAPITULASI NASIONAL TAHUN 2024\nNo;Provinsi;Target;Capaian\n"
                    "1;Aceh;1.000;1.500\n2;Bali;2.000;3.000\n3;Jambi;100;200\n4;Riau;1.000;1.200\n5;Papua;100;\n")
    ingest(db, path)
    assert query(db, "select region_name, rank, position from marts.ranking where ranking = 'national' "
                     "order by position") == [("Jambi", 1, 1), ("Bali", 2, 2), ("Aceh", 2, 3), ("Riau", 4, 4)]
