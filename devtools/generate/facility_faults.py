"""The facility-level faults of generate/faults.py planted on the output of generate/facilities.py: one
facility's extreme day and one kabupaten/kota's late reports (PSA 2024)."""

from datetime import timedelta

import pandas as pd

from devtools.generate.facilities import FacilityData
from devtools.generate.faults import EXTREME_DAY, LATE_REGENCY


def plant_facility_faults(data: FacilityData) -> FacilityData:
    """The facility data with the extreme day and the late kabupaten/kota planted (where they are in it)."""
    records = _extreme_day(data.records, data.facilities)
    return FacilityData(data.facilities, _late(records), data.targets)


def _extreme_day(records: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    regency = (records["campaign_year"] == EXTREME_DAY["year"]) & (records["regency_code"] == EXTREME_DAY["regency"])
    if not regency.any():
        return records
    register = facilities[(facilities["campaign_year"] == EXTREME_DAY["year"])
                          & (facilities["regency_code"] == EXTREME_DAY["regency"])]
    kind = register["kind"].mode()[0]  # the most common kind: the most peers
    of_kind = set(register.loc[register["kind"] == kind, "facility_code"])
    day = records.loc[regency, "report_date"].min()
    on_day = records[regency & (records["report_date"] == day)]
    by_facility = on_day.groupby("facility_code")["acceptors"].sum()
    peers = by_facility[by_facility.index.isin(of_kind)]
    chosen = peers.idxmin()
    extra = int(peers.median() * EXTREME_DAY["times_peer_median"]) - int(peers[chosen])
    records = records.copy()
    taken = 0
    for index in on_day[on_day["facility_code"] != chosen].sort_values("acceptors", ascending=False).index:
        take = min(int(records.at[index, "acceptors"]) - 1, extra - taken)
        records.at[index, "acceptors"] -= take
        taken += take
        if taken == extra:
            break
    first = on_day[on_day["facility_code"] == chosen].index[0]
    records.at[first, "acceptors"] += taken
    return records


def _late(records: pd.DataFrame) -> pd.DataFrame:
    late = (records["campaign_year"] == LATE_REGENCY["year"]) & (records["regency_code"] == LATE_REGENCY["regency"])
    if not late.any():
        return records
    records = records.copy()
    for column in ("reported_at", "updated_at"):
        records.loc[late, column] = records.loc[late, column] + timedelta(days=LATE_REGENCY["days_late"])
    return records
