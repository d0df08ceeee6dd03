"""The bulk export path (Parquet over HTTP) against the reference server, and models rebuilt by year."""

from datetime import date

import pandas as pd
import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import Faults, running_server
from kbetl.reference.tables import campaign_days
from kbetl.runs import load_pulls, rebuild_and_publish
from kbetl.sources.report_api.client import ApiError, ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from kbetl.warehouse import database as warehouse
from kbetl.warehouse.transform import run_transforms
from tests.helpers.facility_data import bengkulu_2022
from tests.helpers.warehouse import marts_snapshot, query

TOKEN = "ekspor"
RECORDS = ("select campaign_year, province_code, facility_code, regency_code, method, service_type, report_date, "
           "acceptors, reported_at, updated_at from staging.daily_records order by all")


def pull(server, landing, year=2022, province="17"):
    client = ReportApiClient(server.base_url, TOKEN, backoff_s=0.01, retries=1)
    try:
        return pull_province(client, year, province, campaign_days(year), landing)
    finally:
        client.close()


def test_the_export_and_the_pages_give_the_same_warehouse(tmp_path):
    data = generate_facility_data([2024], ["17"], scale=0.1)
    by_pages, by_export = tmp_path / "pages.duckdb", tmp_path / "export.duckdb"
    with running_server(data, TOKEN) as server:
        pages = pull(server, None, 2024)
        export = pull(server, tmp_path / "landing", 2024)
    assert pages.export is None and export.export is not None and export.records_in == len(data.records) > 1000
    load_pulls(by_pages, [pages], "test")
    load_pulls(by_export, [export], "test")
    assert query(by_pages, RECORDS) == query(by_export, RECORDS)
    assert marts_snapshot(by_pages) == marts_snapshot(by_export)
    assert query(by_export, "select count(*), sum(octet_length(body)) from raw.api_responses "
                            "where url like '%/services/export?%'") == [(1, export.export.size_bytes)]
    assert not list((tmp_path / "landing").iterdir()), "the landed file is removed once its bytes are stored"


def test_an_export_cut_short_is_refused_and_leaves_no_file(tmp_path):
    with running_server(bengkulu_2022(), TOKEN, faults=Faults(truncate_provinces=["17"])) as server:
        client = ReportApiClient(server.base_url, TOKEN, backoff_s=0.01, retries=1)
        with pytest.raises(ApiError) as refused:
            client.services_export("17", date(2022, 6, 15), date(2022, 6, 19), tmp_path / "landing")
    assert "do not match the announced SHA-256" in str(refused.value)
    assert "/v1/provinces/17/services/export?from=2022-06-15&to=2022-06-19" in str(refused.value)
    assert not list((tmp_path / "landing").iterdir())


def test_an_api_without_the_export_is_read_page_by_page(tmp_path, db):
    with running_server(bengkulu_2022(), TOKEN, faults=Faults(no_export=True)) as server:
        pulled = pull(server, tmp_path / "landing")
    assert pulled.status == "pulled" and pulled.export is None and len(pulled.records) == 5
    load_pulls(db, [pulled], "test")
    assert query(db, "select count(*) from staging.daily_records") == [(5,)]


@pytest.fixture
def two_years(tmp_path):
    """A warehouse holding 2023 and 2024 for Bengkulu, loaded through the export."""
    data = generate_facility_data([2023, 2024], ["17"], scale=0.05)
    db = tmp_path / "work.duckdb"
    with running_server(data, TOKEN) as server:
        for year in (2023, 2024):
            load_pulls(db, [pull(server, tmp_path / "landing", year)], "test")
    return db, data


def test_a_load_rebuilds_the_models_of_its_year_only(two_years, tmp_path):
    db, data = two_years
    con = warehouse.connect(db)
    con.execute("update marts.daily_progress set achieved_on_day = -1 where campaign_year = 2023")
    con.close()
    corrected = data.records.copy()
    latest = corrected["campaign_year"] == 2024
    corrected.loc[latest, "acceptors"] += 1
    corrected.loc[latest, "updated_at"] += pd.Timedelta(hours=1)
    data.records = corrected
    with running_server(data, TOKEN) as server:
        load_pulls(db, [pull(server, tmp_path / "landing", 2024)], "test")
    assert query(db, "select count(*) = count(*) filter (where achieved_on_day = -1) from marts.daily_progress "
                     "where campaign_year = 2023") == [(True,)], "2023 was not rebuilt"
    incremental = marts_snapshot(db)
    rebuild_and_publish(db, "test", None)
    full = marts_snapshot(db)
    assert query(db, "select min(achieved_on_day) from marts.daily_progress where campaign_year = 2023")[0][0] >= 0
    assert query(db, "select count(*) from staging.daily_current where campaign_year = 2024 and "
                     "updated_at > reported_at")[0][0] == latest.sum(), "the correction is what 2024 shows"
    assert [rows for table, rows in incremental.items() if table != "marts.daily_progress"] == \
        [rows for table, rows in full.items() if table != "marts.daily_progress"]
    first_column = query(db, "select column_name from information_schema.columns where table_schema = 'marts' "
                             "and table_name = 'daily_progress' and ordinal_position = 1")
    assert first_column == [("campaign_year",)]
    progress_2024 = [r for r in incremental["marts.daily_progress"] if r[0] == 2024]
    assert progress_2024 and progress_2024 == [r for r in full["marts.daily_progress"] if r[0] == 2024]


def test_a_changed_model_rebuilds_every_year(two_years):
    db, _ = two_years
    con = warehouse.connect(db)
    try:
        con.execute("update marts.daily_progress set achieved_on_day = -1 where campaign_year = 2023")
        con.execute("update audit.model_builds set sql_sha256 = 'older' where model = 'marts.daily_progress'")
        run_transforms(con, years=[2024])
        assert con.execute("select count(*) from marts.daily_progress where achieved_on_day = -1").fetchone() == (0,)
    finally:
        con.close()


def test_provinces_with_nothing_to_export_land_one_empty_file_each_once(tmp_path, db):
    data = bengkulu_2022()
    with running_server(data, TOKEN) as server:
        pulls = [pull(server, tmp_path / "landing", 2022, province) for province in ("17", "18", "19")]
    assert [p.records_in for p in pulls] == [5, 0, 0]
    assert pulls[1].export.sha256 == pulls[2].export.sha256, "two empty exports are the same bytes"
    summary = load_pulls(db, pulls, "test")
    assert [p.status for p in summary.pulls] == ["pulled"] * 3
    assert query(db, "select count(*) from staging.daily_records") == [(5,)]
    assert query(db, "select count(*), count(distinct response_sha256) from raw.api_responses "
                     "where url like '%/export?%'") == [(2, 2)]
