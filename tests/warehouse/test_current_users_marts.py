"""Current users (peserta KB aktif) in the warehouse: their own mart, the kabupaten summed from its kapanewon,
the kind recorded for every submission, and never a figure of marts.achievement."""

from decimal import Decimal

from kbetl.runs import load_recaps
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import (
    BANTUL_KAPANEWON,
    bantul_method_split,
    write_bantul_current_users,
    write_long_export,
)
from tests.helpers.warehouse import ingest, query

USERS = sum(users for _, _, users in BANTUL_KAPANEWON)
TARGET = sum(target for _, target, _ in BANTUL_KAPANEWON)


def load(db, path, **options):
    return load_recaps(db, [stage_recap(path, **options)], "test")


def test_an_export_of_current_users_per_kapanewon_lands_in_current_users_and_not_in_achievement(db, tmp_path):
    summary = load(db, write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv"), year=2022, region="Bantul")
    assert [(r.status, r.rows_accepted, r.rows_quarantined, r.findings) for r in summary.results] == [
        ("loaded", 17, 0, 0)]
    assert query(db, "select count(*) from marts.achievement") == [(0,)]
    assert query(db, "select report_kind, row_level, scope_code, campaign_year from marts.recap_files") == [
        ("current_users", "district", "3402", 2022)]
    rows = query(db, "select level, region_code, target, current_users, achievement_pct, figures_from, "
                     "children_reported, children_expected, is_partial from marts.current_users "
                     "where report_year = 2022 and region_code like '3402%' order by region_code")
    assert rows[0] == ("regency", "3402", TARGET, USERS, Decimal(f"{100 * USERS / TARGET:.2f}"), "sum_of_districts",
                       17, 17, False)
    assert rows[1] == ("district", "340201", 5000, 3800, Decimal("76.00"), "reported", None, None, False)
    assert len(rows) == 18
    split = bantul_method_split(7671)
    assert query(db, "select region_name, iud, implant, mow, mop, mkjp_users, mkjp_share_pct, source_file, source_row "
                     "from marts.current_users where region_code = '340208'") == [
        ("Bantul", split["iud"], split["implant"], split["mow"], split["mop"],
         split["iud"] + split["implant"] + split["mow"] + split["mop"],
         Decimal(f"{100 * (split['iud'] + split['implant'] + split['mow'] + split['mop']) / 7671:.2f}"),
         "kb_aktif_bantul.csv", 9)]
    assert query(db, "select region_code, current_users, is_partial, children_reported, children_expected "
                     "from marts.current_users where level in ('province', 'national') order by region_code") == [
        ("00", USERS, True, 1, 34), ("34", USERS, True, 1, 5)]


def test_a_psa_recap_and_a_current_users_report_of_the_same_kabupaten_do_not_supersede_each_other(db, tmp_path):
    load(db, write_bantul_current_users(tmp_path / "kb_aktif_bantul.csv"), region="Bantul")
    psa = tmp_path / "psa_bantul.csv"
    psa.write_text("REKAP PSA KABUPATEN BANTUL TAHUN 2022\nNo;Kapanewon;Sasaran;Jumlah\n1;Sewon;100;120\n")
    ingest(db, psa)
    assert query(db, "select file_name, report_kind, is_current from marts.recap_files order by file_name") == [
        ("kb_aktif_bantul.csv", "current_users", True), ("psa_bantul.csv", "psa", True)]
    assert query(db, "select region_code, achieved from marts.achievement where level = 'district'") == [
        ("340215", 120)]
    assert query(db, "select current_users from marts.current_users where region_code = '340215'") == [(11934,)]


def test_a_long_export_with_two_years_gives_each_year_its_rows(db, tmp_path):
    load(db, write_long_export(tmp_path / "kb_aktif_long.csv", {2021: {"Srandakan": 3700, "Sanden": 4400},
                                                                 2022: {"Srandakan": 3800, "Sanden": 4433}}),
         kind="current_users")
    assert query(db, "select report_year, region_code, current_users, target, figures_from from marts.current_users "
                     "where level in ('district', 'regency') order by all") == [
        (2021, "3402", 8100, None, "sum_of_districts"), (2021, "340201", 3700, None, "reported"),
        (2021, "340202", 4400, None, "reported"),
        (2022, "3402", 8233, None, "sum_of_districts"), (2022, "340201", 3800, None, "reported"),
        (2022, "340202", 4433, None, "reported")]
    assert query(db, "select campaign_year, version, is_current from marts.recap_files order by 1") == [
        (2021, 1, True), (2022, 1, True)]


def test_a_corrected_export_replaces_the_earlier_one_of_its_year_only(db, tmp_path):
    load(db, write_long_export(tmp_path / "v1.csv", {2021: {"Srandakan": 3700}, 2022: {"Srandakan": 3800}}),
         kind="current_users")
    load(db, write_long_export(tmp_path / "v2.csv", {2022: {"Srandakan": 3900}}), kind="current_users")
    assert query(db, "select report_year, current_users, source_file from marts.current_users "
                     "where region_code = '340201' order by 1") == [(2021, 3700, "v1.csv"), (2022, 3900, "v2.csv")]
