"""The report API client and province pulls against the reference server, over a real socket on loopback."""

import logging
import time
from datetime import date

import duckdb
import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl.runs import load_pulls
from kbetl.sources.report_api.client import ApiError, ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from tests.helpers.facility_data import bengkulu_2022
from tests.helpers.warehouse import query

TOKEN = "rahasia-sekali-123"
DAY = date(2024, 6, 4)


@pytest.fixture(scope="module")
def two_provinces():
    return generate_facility_data([2024], ["17", "63"], scale=0.2)


def client(server, **kwargs) -> ReportApiClient:
    return ReportApiClient(server.base_url, TOKEN, **{"backoff_s": 0.01, **kwargs})


def test_all_pages_are_fetched(two_provinces):
    expected = two_provinces.records.query("province_code == '63'")
    with running_server(two_provinces, TOKEN) as server:
        pulled = client(server, page_size=250).services("63", DAY)
    assert len(pulled.landings) == -(-len(expected) // 250) > 3
    assert len(pulled.items) == len(expected)
    assert {(r["facility_code"], r["method"], r["service_type"]) for r in pulled.items} == set(
        zip(expected["facility_code"], expected["method"], expected["service_type"]))


def test_429_with_retry_after_is_honoured(two_provinces):
    with running_server(two_provinces, TOKEN, faults=Faults(throttle_first=1, retry_after_s=1)) as server:
        started = time.monotonic()
        pulled = client(server, page_size=5000).targets("63", 2024)
        elapsed = time.monotonic() - started
        hits = dict(server.hits)
    assert pulled.items and elapsed >= 1.0, "waited as long as Retry-After said"
    assert list(hits.values()) == [2]


def test_a_run_of_500s_followed_by_success_is_recovered(two_provinces):
    with running_server(two_provinces, TOKEN, faults=Faults(fail_first=3)) as server:
        pulled = client(server, retries=5).facilities("17", 2024)
        assert list(server.hits.values()) == [4]
    assert len(pulled.items) == len(two_provinces.facilities.query("province_code == '17'"))


def test_a_server_that_stays_down_gives_up_with_a_clear_error(two_provinces):
    with running_server(two_provinces, TOKEN, faults=Faults(down_provinces=["17"])) as server:
        with pytest.raises(ApiError, match=r"/v1/provinces/17/facilities\?year=2024.*HTTP 503 after retries: "
                                           r"unavailable: province 17 is not reachable"):
            client(server, retries=2).facilities("17", 2024)


def test_a_page_that_changes_while_paging_makes_the_client_start_again(two_provinces):
    with running_server(two_provinces, TOKEN, faults=Faults(change_after_first_page=True)) as server:
        pulled = client(server, page_size=500).services("17", DAY)
    assert len(pulled.items) == len(two_provinces.records.query("province_code == '17'"))
    assert len({page[0]["facility_code"] for page in pulled.pages}) == len(pulled.pages)


def test_wrong_token_is_refused(two_provinces):
    with running_server(two_provinces, TOKEN) as server:
        with pytest.raises(ApiError, match="HTTP 401 after retries: unauthorized"):
            ReportApiClient(server.base_url, "salah").targets("17", 2024)


def test_one_province_down_is_reported_failed_and_the_others_load(two_provinces, db):
    with running_server(two_provinces, TOKEN, faults=Faults(down_provinces=["17"])) as server:
        api = client(server, retries=1)
        pulls = [pull_province(api, 2024, p, [DAY]) for p in ("17", "63")]
    summary = load_pulls(db, pulls, "test")
    assert [p.province_code for p in summary.failed] == ["17"]
    assert query(db, "select province_code, status from audit.api_pulls order by 1") == [("17", "failed"),
                                                                                         ("63", "loaded")]
    loaded = query(db, "select province_code, sum(acceptors) from staging.daily_records group by 1")
    assert loaded == [("63", int(two_provinces.records.query("province_code == '63'")["acceptors"].sum()))]
    assert query(db, "select status from audit.runs") == [("failed",)]


def test_a_malformed_body_is_rejected_and_nothing_of_it_loads(two_provinces, db):
    with running_server(two_provinces, TOKEN, faults=Faults(truncate_provinces=["63"])) as server:
        pull = pull_province(client(server), 2024, "63", [DAY])
    assert pull.status == "failed" and "malformed JSON body" in pull.error
    load_pulls(db, [pull], "test")
    assert query(db, "select count(*) from staging.daily_records") == [(0,)]
    assert query(db, "select count(*) from raw.api_responses") == [(0,)]


@pytest.mark.parametrize("path", ["json pages", "parquet export"])
def test_bad_records_are_quarantined_with_a_reason_and_the_rest_load(db, tmp_path, path):
    from tests.helpers.facility_data import record

    data = bengkulu_2022(
        record("1701009", "pill", "new", 2, 15, 8),  # not in the register
        record("1771001", "herbal", "new", 1, 15, 8),  # unknown method
        {**record("1771001", "pill", "new", 1, 15, 8), "regency_code": "1702"},  # facility outside its regency
        record("1771001", "condom", "new", -3, 15, 8),  # negative
    )
    landing = tmp_path / "landing" if path == "parquet export" else None
    with running_server(data, TOKEN) as server:
        pull = pull_province(client(server), 2022, "17", [date(2022, 6, d) for d in range(15, 20)], landing)
    assert pull.status == "pulled" and (pull.export is not None) == (path == "parquet export")
    summary = load_pulls(db, [pull], "test")
    rejected = query(db, "select value, check_name, message, file_name, source_row from audit.quarantine")
    assert sorted((v, c) for v, c, *_ in rejected) == [
        ("-3", "non_negative"), ("1701009", "registered_facility"), ("1771001", "facility_in_regency"),
        ("herbal", "known_method")]
    messages = {c: m for _, c, m, *_ in rejected}
    assert messages["registered_facility"] == "facility_code: expected a facility in the province's register: " \
                                              "1701009 is not registered in province 17"
    assert all(name.startswith("/v1/provinces/17/services") for *_, name, _ in rejected)
    for value, check, _, _, row in rejected:  # the source row named is the one that holds the value
        column = {"non_negative": "acceptors", "known_method": "method"}.get(
            check, "facility_code")
        sent = data.records.sort_values(["report_date", "facility_code", "method", "service_type"]).iloc[row - 1] \
            if path == "parquet export" else None
        if sent is not None:
            assert str(sent[column]) == value
    assert query(db, "select count(*) from staging.daily_records") == [(5,)]
    assert [(p.records_in, p.records_accepted, p.records_rejected) for p in summary.pulls] == [(9, 5, 4)]
    assert query(db, "select records_in, records_accepted, records_rejected from audit.api_pulls") == [(9, 5, 4)]


def test_the_token_appears_in_no_log_line_no_error_and_no_stored_record(two_provinces, db, caplog):
    caplog.set_level(logging.DEBUG)
    with running_server(two_provinces, TOKEN, faults=Faults(fail_first=1, throttle_first=1, retry_after_s=1,
                                                             down_provinces=["17"])) as server:
        api = client(server, retries=2)
        pulls = [pull_province(api, 2024, p, [DAY]) for p in ("17", "63")]
    load_pulls(db, pulls, "test")
    assert caplog.records, "the client and urllib3 did log"
    assert TOKEN not in caplog.text
    assert all(TOKEN not in (p.error or "") for p in pulls)
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute("select schema_name, table_name, column_name from duckdb_columns() "
                              "where data_type in ('VARCHAR', 'BLOB') and schema_name not in ('information_schema')"
                              ).fetchall()
        for schema, table, column in columns:
            hits = con.execute(f'select count(*) from "{schema}"."{table}" '
                               f'where contains(cast("{column}" as varchar), ?)', [TOKEN]).fetchall()[0][0]
            assert hits == 0, f"{schema}.{table}.{column}"
        assert con.execute("select count(*) from raw.api_responses").fetchall()[0][0] > 0
    finally:
        con.close()
