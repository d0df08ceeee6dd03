"""A hand-made facility data set for PSA 2022 in Bengkulu (service days 15-19 June), small enough to
work out every mart figure by hand.

Targets: Bengkulu Selatan (1701) 10, with kecamatan 170101 at 4; Rejang Lebong (1702) 5; Kota
Bengkulu (1771) 100. Served: 1702 reaches 5 of 5 on 15 June at 09:00 WIB; 1701 has 4 on 15 June
(its kecamatan 170101 reaches 4 of 4) and 6 more on 16 June at 10:00, so 10 of 10; 1771 serves 20
on 17 June and never reaches its target.
"""

from datetime import date, datetime, timedelta, timezone

import pandas as pd

from devtools.generate.facilities import FacilityData

WIB = timezone(timedelta(hours=7))
YEAR, PROVINCE = 2022, "17"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 6, day, hour, minute, tzinfo=WIB)


def record(facility, method, service_type, acceptors, day, hour, updated_hour=None):
    return {"campaign_year": YEAR, "province_code": PROVINCE, "report_date": date(2022, 6, day),
            "facility_code": facility, "regency_code": facility[:4], "method": method, "service_type": service_type,
            "acceptors": acceptors, "reported_at": at(day, hour), "updated_at": at(day, updated_hour or hour)}


def bengkulu_2022(*extra_records: dict) -> FacilityData:
    facilities = pd.DataFrame([
        (YEAR, "1701001", "Puskesmas Manna", "170101", "1701", PROVINCE, "puskesmas"),
        (YEAR, "1701002", "Klinik Pino", "170102", "1701", PROVINCE, "klinik"),
        (YEAR, "1702001", "Puskesmas Curup", "170201", "1702", PROVINCE, "puskesmas"),
        (YEAR, "1771001", "RS Kota Bengkulu", "177101", "1771", PROVINCE, "rumah_sakit"),
    ], columns=["campaign_year", "facility_code", "facility_name", "district_code", "regency_code", "province_code",
                "kind"])
    records = pd.DataFrame([
        record("1701001", "pill", "new", 3, 15, 8),
        record("1701001", "condom", "postpartum", 1, 15, 8),
        record("1702001", "injectable", "repeat", 5, 15, 9),
        record("1701002", "implant", "new", 6, 16, 10),
        record("1771001", "iud", "switch", 20, 17, 16),
        *extra_records,
    ])
    targets = pd.DataFrame([
        (YEAR, PROVINCE, "1701", "regency", 10, 2),
        (YEAR, PROVINCE, "170101", "district", 4, None),
        (YEAR, PROVINCE, "1702", "regency", 5, None),
        (YEAR, PROVINCE, "1771", "regency", 100, None),
    ], columns=["campaign_year", "province_code", "region_code", "level", "target", "kbpp_target"]).astype(
        {"kbpp_target": "Int64"})
    return FacilityData(facilities, records, targets)
