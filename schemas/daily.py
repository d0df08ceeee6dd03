"""Contract for a daily facility service record as the report API sends it (docs/api.md).

Built per pull, because two checks depend on it: the report date must fall in the window asked for,
and the facility must be in the province's register.
"""

from datetime import date

import pandas as pd
import pandera.pandas as pa

FIELDS = {
    "facility_code": "7 digits: province (2), kabupaten/kota (2), sequence (3).",
    "regency_code": "Kemendagri code of the facility's kabupaten/kota (4 digits).",
    "method": "Contraceptive method code (ref.methods).",
    "service_type": "Service type code (ref.service_types).",
    "acceptors": "Acceptors served: a whole number, not negative.",
    "report_date": "Day the services were given.",
    "reported_at": "When the facility reported, with time zone.",
    "updated_at": "When the record last changed; a later one supersedes an earlier one.",
}
CHECK_DESCRIPTIONS = {
    "seven_digits": "a facility code of 7 digits",
    "four_digits": "a kabupaten/kota code of 4 digits",
    "facility_in_regency": "a facility code that starts with its kabupaten/kota code",
    "known_method": "a method from the reference list",
    "known_service_type": "a service type from the reference list",
    "whole_number": "a whole number of acceptors",
    "non_negative": "a number of acceptors that is not negative",
    "in_window": "a report date within the window asked for",
    "registered_facility": "a facility in the province's register",
    "timestamp_with_zone": "a timestamp with its time zone",
}
ROW_CHECK_COLUMNS = {"facility_in_regency": "facility_code"}


def _matches(pattern: str):
    return lambda s: s.astype("string").str.fullmatch(pattern).fillna(False).astype(bool)


def _whole(series: pd.Series) -> pd.Series:
    value = pd.to_numeric(series, errors="coerce")
    return value.notna() & (value % 1 == 0)


def _non_negative(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").fillna(0) >= 0


def _zoned(series: pd.Series) -> pd.Series:
    return series.astype("string").str.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)").fillna(False).astype(bool)


def daily_record_schema(first_day: date, last_day: date, methods: list[str], service_types: list[str],
                        registered: set[str]) -> pa.DataFrameSchema:
    def in_window(series: pd.Series) -> pd.Series:
        day = pd.to_datetime(series, errors="coerce", format="%Y-%m-%d").dt.date
        return day.notna() & (day >= first_day) & (day <= last_day)

    def facility_in_regency(frame: pd.DataFrame) -> pd.Series:
        return frame["facility_code"].astype("string").str[:4] == frame["regency_code"].astype("string")

    return pa.DataFrameSchema(
        {
            "facility_code": pa.Column(object, [pa.Check(_matches(r"\d{7}"), name="seven_digits"),
                                                pa.Check(lambda s: s.isin(registered), name="registered_facility")],
                                       nullable=True, description=FIELDS["facility_code"]),
            "regency_code": pa.Column(object, pa.Check(_matches(r"\d{4}"), name="four_digits"),
                                      nullable=True, description=FIELDS["regency_code"]),
            "method": pa.Column(object, pa.Check(lambda s: s.isin(methods), name="known_method"), nullable=True),
            "service_type": pa.Column(object, pa.Check(lambda s: s.isin(service_types), name="known_service_type"),
                                      nullable=True),
            "acceptors": pa.Column(object, [pa.Check(_whole, name="whole_number"),
                                            pa.Check(_non_negative, name="non_negative")], nullable=True),
            "report_date": pa.Column(object, pa.Check(in_window, name="in_window"), nullable=True),
            "reported_at": pa.Column(object, pa.Check(_zoned, name="timestamp_with_zone"), nullable=True),
            "updated_at": pa.Column(object, pa.Check(_zoned, name="timestamp_with_zone"), nullable=True),
        },
        checks=[pa.Check(facility_in_regency, name="facility_in_regency")],
        name="daily_record",
        strict=False,
    )
