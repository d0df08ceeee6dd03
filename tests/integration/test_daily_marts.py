"""Daily marts on the hand-made data set of facility_data.py, answers worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from devtools.report_api_server import running_server
from kbetl.reference.tables import campaign_days
from kbetl.runs import load_pulls
from kbetl.sources.report_api.client import ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from tests.helpers.facility_data import bengkulu_2022, record
from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252
from tests.helpers.warehouse import ingest, marts_snapshot, query

TOKEN = "uji"


def pull_into(db, data):
    with running_server(data, TOKEN) as server:
        pull = pull_province(ReportApiClient(server.base_url, TOKEN), 2022, "17", campaign_days(2022))
    return load_pulls(db, [pull], "test")


@pytest.fixture
def pulled(db):
    pull_into(db, bengkulu_2022())
    return db


def progress(db, code):
    return query(db, "select day(report_date), achieved_on_day, cumulative_achieved, target, cumulative_pct, "
                     "reached_target_on from marts.daily_progress where region_code = ? order by report_date", [code])


def test_daily_progress_of_a_regency_that_reaches_its_target_on_day_two(pulled):
    reached = date(2022, 6, 16)
    assert progress(pulled, "1701") == [
        (15, 4, 4, 10, Decimal("40.00"), reached), (16, 6, 10, 10, Decimal("100.00"), reached),
        (17, 0, 10, 10, Decimal("100.00"), reached), (18, 0, 10, 10, Decimal("100.00"), reached),
        (19, 0, 10, 10, Decimal("100.00"), reached)]


def test_a_region_that_never_reaches_its_target_has_no_reached_date(pulled):
    assert [row[2:] for row in progress(pulled, "1771")] == [
        (0, 100, Decimal("0.00"), None), (0, 100, Decimal("0.00"), None), (20, 100, Decimal("20.00"), None),
        (20, 100, Decimal("20.00"), None), (20, 100, Decimal("20.00"), None)]


def test_kecamatan_province_and_nation_levels(pulled):
    assert progress(pulled, "170101")[0] == (15, 4, 4, 4, Decimal("100.00"), date(2022, 6, 15))
    assert progress(pulled, "170102")[1] == (16, 6, 6, None, None, None), "no kecamatan target was set"
    assert [row[1:5] for row in progress(pulled, "17")] == [
        (9, 9, 115, Decimal("7.83")), (6, 15, 115, Decimal("13.04")), (20, 35, 115, Decimal("30.43")),
        (0, 35, 115, Decimal("30.43")), (0, 35, 115, Decimal("30.43"))]
    assert progress(pulled, "00") == progress(pulled, "17")


def test_fastest_to_target_orders_by_when_100_percent_was_reached(pulled):
    rows = query(pulled, "select rank, region_code, reached_target_on, achievement_pct from marts.ranking "
                         "where ranking = 'fastest_to_target' and scope_code = '17' order by position")
    assert rows == [(1, "1702", date(2022, 6, 15), Decimal("100.00")),
                    (2, "1701", date(2022, 6, 16), Decimal("100.00")),
                    (3, "1771", None, Decimal("20.00"))]


def test_reporting_completeness_against_the_2022_deadline(pulled):
    rows = query(pulled, "select regency_code, day(report_date), facilities_expected, facilities_reported, "
                         "reports_on_time, reporting_rate_pct, on_time_rate_pct from marts.reporting_completeness "
                         "where (regency_code, day(report_date)) in (('1701', 15), ('1701', 16), ('1771', 17), "
                         "('1771', 18)) order by 1, 2")
    assert rows == [("1701", 15, 2, 1, 1, Decimal("50.00"), Decimal("50.00")),
                    ("1701", 16, 2, 1, 1, Decimal("50.00"), Decimal("50.00")),
                    ("1771", 17, 1, 1, 0, Decimal("100.00"), Decimal("0.00")),  # 16:00, after 17 Jun 15:00 WIB
                    ("1771", 18, 1, 0, 0, Decimal("0.00"), Decimal("0.00"))]


def test_service_mix_with_the_post_partum_share_and_target(pulled):
    rows = query(pulled, "select method, service_type, achieved, share_pct, kbpp_share_pct, kbpp_target, "
                         "kbpp_achievement_pct from marts.service_mix where region_code = '1701' order by 1, 2")
    assert rows == [("condom", "postpartum", 1, Decimal("10.00"), Decimal("10.00"), 2, Decimal("50.00")),
                    ("implant", "new", 6, Decimal("60.00"), Decimal("10.00"), 2, Decimal("50.00")),
                    ("pill", "new", 3, Decimal("30.00"), Decimal("10.00"), 2, Decimal("50.00"))]


def test_reconciliation_of_the_recap_and_the_facility_sum(pulled, tmp_path):
    recap = write_semicolon_cp1252(tmp_path / "bengkulu.csv", bengkulu_rows(
        "Bengkulu Selatan;10;;;;;;;;10;", "Rejang Lebong;5;;;;;;;;6;"))
    ingest(pulled, recap)
    rows = query(pulled, "select region_code, recap_achieved, facility_achieved, difference, difference_pct "
                         "from marts.reconciliation where level = 'regency' order by 1")
    assert rows == [("1701", 10, 10, 0, Decimal("0.00")), ("1702", 6, 5, -1, Decimal("-16.67"))]


def test_pulling_the_same_days_twice_changes_nothing(pulled):
    before = marts_snapshot(pulled), query(pulled, "select count(*), count(distinct run_id) from staging.daily_records")
    pull_into(pulled, bengkulu_2022())
    assert (marts_snapshot(pulled), query(pulled, "select count(*), count(distinct run_id) "
                                                  "from staging.daily_records")) == before


def test_a_correction_supersedes_the_earlier_record_which_stays_traceable(pulled):
    corrected = bengkulu_2022()
    late = record("1771001", "iud", "switch", 120, 17, 16, updated_hour=20)
    corrected.records.loc[corrected.records["facility_code"] == "1771001", ["acceptors", "updated_at"]] = [
        late["acceptors"], late["updated_at"]]
    pull_into(pulled, corrected)
    assert progress(pulled, "1771")[2][1:] == (120, 120, 100, Decimal("120.00"), date(2022, 6, 17))
    versions = query(pulled, "select acceptors, hour(updated_at at time zone 'Asia/Jakarta') from "
                             "staging.daily_records where facility_code = '1771001' order by updated_at")
    assert versions == [(20, 16), (120, 20)]
    assert query(pulled, "select rank, region_code from marts.ranking where ranking = 'fastest_to_target' "
                         "order by position") == [(1, "1702"), (2, "1701"), (3, "1771")]
