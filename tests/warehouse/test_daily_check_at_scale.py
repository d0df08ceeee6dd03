"""The daily record contract checked in DuckDB at a size where DuckDB scans and joins in parallel."""

from datetime import date

import numpy as np
import pandas as pd

from kbetl.runs import load_pulls
from kbetl.sources.report_api.pull import ProvincePull
from tests.helpers.warehouse import query

ROWS = 300_000  # more than two of DuckDB's row groups


def test_failures_deep_in_a_large_staging_table_name_their_own_rows(db):
    start = pd.Timestamp("2022-06-15 01:00", tz="UTC")
    records = pd.DataFrame({
        "facility_code": "1771001", "regency_code": "1771", "method": "pill", "service_type": "new",
        "acceptors": pd.array(np.ones(ROWS, dtype="int64"), dtype="Int64"),
        "report_date": pd.Timestamp("2022-06-15"),
        "reported_at": start, "updated_at": start + pd.to_timedelta(np.arange(ROWS), unit="s"),
        "file_sha256": "f" * 64, "file_name": "/v1/provinces/17/services?date=2022-06-15&page=1",
        "source_row": np.arange(1, ROWS + 1)})
    bad = {7: ("facility_code", "1771999"), 150_001: ("method", "herbal"), 299_990: ("facility_code", "1771998"),
           200_000: ("acceptors", -2), 250_000: ("acceptors", None)}
    for row, (column, value) in bad.items():
        records.loc[row - 1, column] = value
    register = pd.DataFrame([("1771001", "RS", "177101", "1771", "rumah_sakit")],
                            columns=["facility_code", "facility_name", "district_code", "regency_code", "kind"])
    pull = ProvincePull(2022, "17", [date(2022, 6, d) for d in range(15, 20)], facilities=register,
                        targets=pd.DataFrame(columns=["region_code", "level", "target", "kbpp_target"]),
                        records=records, records_in=ROWS)
    summary = load_pulls(db, [pull], "test", rebuild="none")
    assert query(db, "select source_row, check_name, value from audit.quarantine order by source_row") == [
        (7, "registered_facility", "1771999"), (150_001, "known_method", "herbal"),
        (200_000, "non_negative", "-2"), (250_000, "not_nullable", None), (299_990, "registered_facility", "1771998")]
    assert summary.pulls[0].records_rejected == 5
    assert query(db, "select count(*) from staging.daily_records") == [(ROWS - 5,)]
