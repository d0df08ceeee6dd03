"""A kabupaten's kecamatan recap meets the daily facility reports' kecamatan in marts.reconciliation."""

from decimal import Decimal

import duckdb

from devtools.report_api_server import running_server
from kbetl.reference.tables import campaign_days
from kbetl.reports.report_data import reconciliation
from kbetl.runs import load_pulls
from kbetl.sources.report_api.client import ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from tests.helpers.facility_data import bengkulu_2022
from tests.helpers.recap_files import kecamatan_row, write_kecamatan_recap
from tests.helpers.warehouse import ingest, query

TOKEN = "uji"


def test_kecamatan_recap_against_the_facility_sums_of_the_same_kecamatan(db, tmp_path):
    with running_server(bengkulu_2022(), TOKEN) as server:
        pull = pull_province(ReportApiClient(server.base_url, TOKEN), 2022, "17", campaign_days(2022))
    load_pulls(db, [pull], "test")
    rows = [kecamatan_row("Kedurang", 4, 3, 1, 0, 0, 0), kecamatan_row("Seginim", 5, 0, 0, 0, 0, 7)]
    ingest(db, write_kecamatan_recap(tmp_path / "bs.csv", "REKAP PSA KABUPATEN BENGKULU SELATAN TAHUN 2022", rows))
    assert query(db, "select level, region_code, recap_achieved, facility_achieved, difference, difference_pct, "
                     "recap_file from marts.reconciliation where region_code like '1701%' order by region_code") == [
        ("regency", "1701", 11, 10, -1, Decimal("-9.09"), "bs.csv"),
        ("district", "170101", 4, 4, 0, Decimal("0.00"), "bs.csv"),
        ("district", "170102", 7, 6, -1, Decimal("-14.29"), "bs.csv")]
    con = duckdb.connect(str(db), read_only=True)
    try:
        shown = reconciliation(con, 2022, None)
    finally:
        con.close()
    assert {r["level"] for r in shown} == {"regency", "province", "national"}, "the campaign report shows no kecamatan"
