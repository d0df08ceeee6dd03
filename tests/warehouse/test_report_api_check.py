"""Report API records checked against the daily contract before they load: JSON values of the wrong type,
days outside the window asked for, an export of the wrong column types. No server: the records are built here."""

from datetime import date

import duckdb

from kbetl.reference.tables import campaign_days
from kbetl.runs import load_pulls
from kbetl.sources.report_api.client import Export, parquet_facts
from kbetl.sources.report_api.pull import ProvincePull
from kbetl.warehouse.run import now
from tests.helpers.warehouse import query


def test_a_record_outside_the_window_asked_for_is_quarantined(db):
    import pandas as pd

    from kbetl.sources.report_api.decode import decode_records
    from kbetl.sources.report_api.pull import ProvincePull

    sent = {"facility_code": "1771001", "regency_code": "1771", "method": "pill", "service_type": "new",
            "acceptors": 1, "reported_at": "2022-06-15T08:00:00+07:00", "updated_at": "2022-06-15T08:00:00+07:00",
            "file_sha256": "x", "file_name": "/v1/x"}
    raw = pd.DataFrame([{**sent, "report_date": day, "source_row": i}
                        for i, day in enumerate(["2022-06-15", "2022-06-20"], 1)], dtype=object)
    records, _ = decode_records(raw)
    register = pd.DataFrame([("1771001", "RS", "177101", "1771", "rumah_sakit")],
                            columns=["facility_code", "facility_name", "district_code", "regency_code", "kind"])
    pull = ProvincePull(2022, "17", [date(2022, 6, d) for d in range(15, 20)], facilities=register,
                        targets=pd.DataFrame(columns=["region_code", "level", "target", "kbpp_target"]),
                        records=records, records_in=2)
    load_pulls(db, [pull], "test")
    assert query(db, "select source_row, check_name, value from audit.quarantine") == [(2, "in_window", "2022-06-20")]
    assert query(db, "select report_date::varchar from staging.daily_records") == [("2022-06-15",)]


def test_an_export_of_the_wrong_types_is_refused_with_the_column_named(tmp_path, db):
    wrong = tmp_path / "wrong.parquet"
    con = duckdb.connect()
    con.execute(f"""copy (select '1771001' as facility_code, '1771' as regency_code, 'pill' as method,
                                 'new' as service_type, '3' as acceptors, date '2022-06-15' as report_date,
                                 timestamptz '2022-06-15 08:00+07' as reported_at,
                                 timestamptz '2022-06-15 08:00+07' as updated_at)
                    to '{wrong}' (format parquet)""")
    con.close()
    records, columns = parquet_facts(wrong)
    export = Export("http://127.0.0.1:1/v1/provinces/17/services/export?from=2022-06-15&to=2022-06-19", wrong,
                    "ab" * 32, wrong.stat().st_size, records, now(), columns)
    summary = load_pulls(db, [ProvincePull(2022, "17", campaign_days(2022), export=export, records_in=1)], "test")
    assert [p.status for p in summary.pulls] == ["failed"]
    assert summary.pulls[0].error == ("/v1/provinces/17/services/export?from=2022-06-15&to=2022-06-19: column "
                                      "acceptors is VARCHAR, the contract says BIGINT")
    assert query(db, "select status, error is not null from audit.api_pulls") == [("failed", True)]
    assert query(db, "select count(*) from staging.daily_records") == [(0,)]

