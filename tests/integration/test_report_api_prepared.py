"""The benchmark's server: exports prepared beforehand and streamed from their files, byte for byte what the
server would build, and nothing else about records (a sentence, not an empty answer)."""

import hashlib
from datetime import date

import requests

from devtools.generate.facilities import FacilityData, generate_facility_data
from devtools.report_api_server import prepare_exports, running_server
from kbetl.reference.tables import campaign_days
from kbetl.runs import load_pulls
from kbetl.sources.report_api.client import ReportApiClient
from kbetl.sources.report_api.pull import pull_province
from tests.helpers.warehouse import query

TOKEN = "siap"
RECORDS = ("select campaign_year, province_code, facility_code, regency_code, method, service_type, report_date, "
           "acceptors, reported_at, updated_at from staging.daily_records order by all")


def test_a_prepared_export_is_the_export_the_server_builds_and_loads_the_same_records(tmp_path):
    data = generate_facility_data([2022], ["17", "63"], scale=0.1)
    records = tmp_path / "records.parquet"
    data.records.to_parquet(records)
    first, last = date(2022, 6, 15), date(2022, 6, 19)
    windows = [("17", first, last), ("63", first, last), ("17", date(2022, 6, 16), date(2022, 6, 16))]
    assert prepare_exports([records], windows, tmp_path / "exports") == 3
    landing_built, landing_prepared = tmp_path / "built", tmp_path / "prepared"
    with running_server(data, TOKEN) as building:
        client = ReportApiClient(building.base_url, TOKEN, retries=0)
        built = [client.services_export(p, a, b, landing_built) for p, a, b in windows]
        pulled_built = pull_province(client, 2022, "63", campaign_days(2022), tmp_path / "pull-built")
        client.close()
    served = FacilityData(data.facilities, None, data.targets)
    with running_server(served, TOKEN, exports_dir=tmp_path / "exports") as prepared:
        client = ReportApiClient(prepared.base_url, TOKEN, retries=0)
        streamed = [client.services_export(p, a, b, landing_prepared) for p, a, b in windows]
        pulled = pull_province(client, 2022, "63", campaign_days(2022), tmp_path / "pull-prepared")
        client.close()
    assert [(e.sha256, e.records) for e in streamed] == [(e.sha256, e.records) for e in built]
    assert streamed[0].records == (data.records["province_code"] == "17").sum() > 0
    assert 0 < streamed[2].records < streamed[0].records
    assert hashlib.sha256(streamed[1].path.read_bytes()).hexdigest() == streamed[1].sha256
    by_building, by_prepared = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_pulls(by_building, [pulled_built], "test")
    load_pulls(by_prepared, [pulled], "test")
    assert pulled.export is not None and pulled.records_in == streamed[1].records
    assert query(by_prepared, RECORDS) == query(by_building, RECORDS)


def test_a_server_without_records_says_what_it_cannot_serve(tmp_path):
    data = generate_facility_data([2022], ["17"], scale=0.05)
    data.records.to_parquet(tmp_path / "records.parquet")
    prepare_exports([tmp_path / "records.parquet"], [("17", date(2022, 6, 15), date(2022, 6, 19))],
                    tmp_path / "exports")
    with running_server(FacilityData(data.facilities, None, data.targets), TOKEN,
                        exports_dir=tmp_path / "exports") as server:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        other = requests.get(f"{server.base_url}/v1/provinces/17/services/export?from=2022-06-15&to=2022-06-16",
                             headers=headers, timeout=10)
        page = requests.get(f"{server.base_url}/v1/provinces/17/services?date=2022-06-15", headers=headers,
                            timeout=10)
        register = requests.get(f"{server.base_url}/v1/provinces/17/facilities?year=2022", headers=headers,
                                timeout=10)
        whole = requests.get(f"{server.base_url}/v1/provinces/17/services/export?from=2022-06-15&to=2022-06-19",
                                 headers=headers, timeout=10)
    assert other.status_code == 404
    assert other.json()["error"]["message"] == ("no export of 17 for 2022-06-15..2022-06-16 was prepared, and this "
                                                "server holds no records to build one")
    assert page.status_code == 404 and "holds no records" in page.json()["error"]["message"]
    assert register.status_code == 200 and register.json()["total_records"] == len(data.facilities)
    assert whole.status_code == 200
    assert int(whole.headers["X-Total-Records"]) == len(data.records)
    assert hashlib.sha256(whole.content).hexdigest() == whole.headers["X-Content-SHA256"]

