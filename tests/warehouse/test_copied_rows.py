"""The copied_rows check (issue 25): a kecamatan's figures written again for another, or a region repeating its
previous year, found; the same file without the copy, silent; the finding in `kbetl quality`, the marts and
the campaign report."""

import re

import duckdb
import pytest

from kbetl.quality.scorecard import DIMENSIONS, scorecard_text
from kbetl.reference.indonesian import id_number
from kbetl.reports.campaign_report import write_campaign_report
from kbetl.runs import load_recaps
from kbetl.sources.recaps.stage import stage_recap
from kbetl.warehouse.publish import published_path
from tests.helpers.field_files import BANTUL_BY_YEAR, long_figure, write_users_by_method, write_year_rows
from tests.helpers.recap_files import LONG_SPELLINGS
from tests.helpers.warehouse import query

METHOD_WORDS = {"AKDR": "IUD", "Suntikan": "Suntik"}  # as the message names them (schemas.methods)
ORDER = ("AKDR", "Implan", "MOW", "MOP", "Suntikan", "Pil", "Kondom")
SHARES = dict(LONG_SPELLINGS)
COPY_MESSAGE = ("Angka peserta KB aktif Sanden dan Srandakan (2021) sama persis pada 7 metode ("
                + ", ".join(f"{METHOD_WORDS.get(m, m)} {id_number(long_figure('Srandakan', 2021, SHARES[m]))}"
                            for m in ORDER)
                + "): tanda baris lembar kerja yang tersalin; periksa kedua baris itu di berkasnya.")


def load(db, path, **options):
    return load_recaps(db, [stage_recap(path, region="3402", kind="current_users", **options)], "test",
                       publish_to=published_path(db))


def issues(db):
    return query(db, "select campaign_year, check_name, region_code, subject, value, message "
                     "from marts.data_quality_issues where check_name = 'copied_rows' order by all")


def test_a_kecamatan_whose_figures_repeat_anothers_is_found_naming_both(db, tmp_path):
    load(db, write_users_by_method(tmp_path / "copied.csv", copy=(2021, "Srandakan", "Sanden")))
    assert issues(db) == [(2021, "copied_rows", "340202", "peserta KB aktif: 340201", 7.0, COPY_MESSAGE)]
    assert query(db, "select count(*) from audits.copied_rows") == [(1,)]
    assert query(db, "select passed from marts.data_quality where check_name = 'copied_rows' "
                     "and campaign_year = 2021 and region_code = '340202'") == [(False,)]


@pytest.mark.parametrize("methods, found", [(3, True), (2, False)])
def test_three_methods_copied_are_enough_two_are_not(db, tmp_path, methods, found):
    load(db, write_users_by_method(tmp_path / "copied.csv", copy=(2021, "Srandakan", "Sanden"),
                                   copied_methods=methods))
    assert [(y, code, value) for y, _, code, _, value, _ in issues(db)] == ([(2021, "340202", 3.0)] if found else [])


def test_the_same_file_without_the_copy_is_silent(db, tmp_path):
    load(db, write_users_by_method(tmp_path / "plain.csv"))
    assert issues(db) == []
    assert query(db, "select count(*) from marts.data_quality where check_name = 'copied_rows' and not passed") \
        == [(0,)]


def test_a_region_repeating_its_previous_year_is_found(db, tmp_path):
    by_year = {**BANTUL_BY_YEAR, 2023: BANTUL_BY_YEAR[2022]}
    load(db, write_year_rows(tmp_path / "tahunan.csv", by_year=by_year))
    assert [(y, code, subject, value) for y, _, code, subject, value, _ in issues(db)] == [
        (2023, "3402", "peserta KB aktif: 2022", 7.0)]
    assert issues(db)[0][5].startswith("Angka peserta KB aktif Kab. Bantul 2023 dan 2022 sama persis pada 7 metode")


def test_a_copy_shows_in_the_quality_scorecard_and_the_campaign_report(db, tmp_path):
    psa = tmp_path / "psa_bantul_2021.csv"  # the campaign's own figures, which the scorecard and report are of
    psa.write_text("REKAP PSA KABUPATEN BANTUL TAHUN 2021\nNo;Kapanewon;Sasaran;Jumlah\n1;Sewon;100;120\n")
    load_recaps(db, [stage_recap(psa)], "test")
    load(db, write_users_by_method(tmp_path / "copied.csv", copy=(2021, "Srandakan", "Sanden")))
    con = duckdb.connect(str(published_path(db)), read_only=True)
    try:
        assert query(published_path(db), "select count(*) from marts.data_quality_issues "
                                         "where check_name = 'copied_rows'") == [(1,)]
        assert COPY_MESSAGE in scorecard_text(con, 2021)
    finally:
        con.close()
    report = write_campaign_report(published_path(db), 2021, out=tmp_path / "laporan.html").read_text()
    assert "Baris tersalin" in report
    assert "Sanden dan Srandakan (2021) sama persis" in report


def test_a_warehouse_of_kecamatan_files_only_scores_a_kecamatan_in_its_kabupaten_and_province(db, tmp_path):
    load(db, write_users_by_method(tmp_path / "copied.csv", copy=(2021, "Srandakan", "Sanden")))
    with duckdb.connect(str(published_path(db)), read_only=True) as con:
        national, provincial = scorecard_text(con, 2021), scorecard_text(con, 2021, "34")
    [national_row] = [line for line in national.splitlines() if line.startswith("34 ")]
    [provincial_row] = [line for line in provincial.splitlines() if line.startswith("3402 ")]
    assert "DI Yogyakarta" in national_row and "Kab. Bantul" in provincial_row
    internal = list(DIMENSIONS).index("internal_consistency")  # the fourth count of the row
    for row in (national_row, provincial_row):
        counts = re.findall(r"(\d+)( !)?", row.split(maxsplit=1)[1].split("  ", 1)[1])
        assert [(n, bool(mark)) for n, mark in counts] == [("0", False)] * internal + [("1", True)] + [
            ("0", False)] * (len(DIMENSIONS) - internal - 1), row
    assert "Sanden" in national and "Srandakan" in provincial
