"""A record version staged more than once in a batch is stored once (the first of those the contract
accepts); one already stored is not stored again, and one of another day is not mistaken for it."""

from datetime import date

import pandas as pd

from kbetl.runs import load_pulls
from kbetl.sources.report_api.pull import ProvincePull
from tests.helpers.warehouse import query

REGISTER = pd.DataFrame([("1771001", "RS", "177101", "1771", "rumah_sakit"),
                         ("1771002", "Klinik", "177101", "1771", "klinik")],
                        columns=["facility_code", "facility_name", "district_code", "regency_code", "kind"])
TARGETS = pd.DataFrame(columns=["region_code", "level", "target", "kbpp_target"])


def pull(rows: list[tuple], days: list[date]) -> ProvincePull:
    at = pd.Timestamp("2022-06-15 01:00", tz="UTC")
    records = pd.DataFrame([{"facility_code": facility, "regency_code": "1771", "method": "pill",
                             "service_type": "new", "acceptors": acceptors, "report_date": pd.Timestamp(day),
                             "reported_at": at, "updated_at": at, "file_sha256": "f" * 64,
                             "file_name": "/v1/provinces/17/services?date=2022-06-15&page=1", "source_row": i + 1}
                            for i, (facility, day, acceptors) in enumerate(rows)])
    records["acceptors"] = records["acceptors"].astype("Int64")
    return ProvincePull(2022, "17", days, facilities=REGISTER, targets=TARGETS, records=records,
                        records_in=len(records))


def test_the_first_accepted_copy_of_a_version_is_stored_once(db):
    days = [date(2022, 6, 15), date(2022, 6, 16)]
    first = pull([("1771001", "2022-06-15", -1),  # rejected: its later copy is the one stored
                  ("1771001", "2022-06-15", 4),
                  ("1771001", "2022-06-15", 5),  # the same version again: not stored
                  ("1771002", "2022-06-15", 2),
                  ("1771002", "2022-06-16", 3)], days)
    summary = load_pulls(db, [first], "test", rebuild="none")
    assert query(db, "select facility_code, report_date::varchar, acceptors, source_row from staging.daily_records "
                     "order by all") == [("1771001", "2022-06-15", 4, 2), ("1771002", "2022-06-15", 2, 4),
                                         ("1771002", "2022-06-16", 3, 5)]
    assert (summary.pulls[0].records_new, summary.pulls[0].records_rejected) == (3, 1)
    again = pull([("1771002", "2022-06-16", 3), ("1771001", "2022-06-16", 7)], [date(2022, 6, 16)])
    assert load_pulls(db, [again], "test", rebuild="none").pulls[0].records_new == 1
    assert query(db, "select count(*) from staging.daily_records") == [(4,)]
