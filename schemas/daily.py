"""Contract for a daily facility service record as the report API sends it (docs/api.md).

Checked where the records already are: a DuckDB table of one pull, through Pandera's ibis backend,
whichever way they came (JSON pages decoded to these types, or the Parquet export, which has them).
Built per pull, because two checks depend on it: the report date must fall in the window asked for,
and the facility must be in the province's register.
ibis and Pandera are imported when the types or a schema are first asked for: what reads only the fields and
checks described here (decoding a page, the docs) starts without them.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis
    import pandera.ibis as pa

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
# JSON carries text; a value that cannot be read as its field's type is rejected before the checks.
DECODE_CHECKS = {
    "acceptors": "whole_number",
    "report_date": "iso_date",
    "reported_at": "timestamp_with_zone",
    "updated_at": "timestamp_with_zone",
}
CHECK_DESCRIPTIONS = {
    "not_nullable": "a value",
    "seven_digits": "a facility code of 7 digits",
    "four_digits": "a kabupaten/kota code of 4 digits",
    "facility_in_regency": "a facility code that starts with its kabupaten/kota code",
    "known_method": "a method from the reference list",
    "known_service_type": "a service type from the reference list",
    "whole_number": "a whole number of acceptors",
    "non_negative": "a number of acceptors that is not negative",
    "iso_date": "a date YYYY-MM-DD",
    "in_window": "a report date within the window asked for",
    "registered_facility": "a facility in the province's register",
    "timestamp_with_zone": "a timestamp with its time zone",
}
ROW_CHECK_COLUMNS = {"facility_in_regency": "facility_code", "registered_facility": "facility_code"}


@cache
def _types() -> dict[str, ibis.DataType]:
    import ibis.expr.datatypes as dt

    timestamp = dt.Timestamp(timezone="UTC", scale=6)
    return {"facility_code": dt.string, "regency_code": dt.string, "method": dt.string, "service_type": dt.string,
            "acceptors": dt.int64, "report_date": dt.date, "reported_at": timestamp, "updated_at": timestamp}


def __getattr__(name: str):
    """TYPES: each field's ibis type."""
    if name == "TYPES":
        return _types()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _matches(pattern: str) -> pa.Check:
    return lambda data: data.table[data.key].re_search(pattern)


def register_key(province_code: ibis.Column, facility_code: ibis.Column) -> ibis.Column:
    return province_code.concat("/", facility_code)


def daily_record_schema(first_day: date, last_day: date, methods: list[str], service_types: list[str],
                        registered: ibis.Column) -> pa.DataFrameSchema:
    """Checks records staged with the province_code they were pulled for. registered: the register_key of
    every facility in the year's registers."""
    import pandera.ibis as pa

    def column(name: str, *checks: pa.Check) -> pa.Column:
        return pa.Column(_types()[name], list(checks), nullable=True, description=FIELDS[name])

    return pa.DataFrameSchema(
        {
            "facility_code": column("facility_code", pa.Check(_matches(r"^\d{7}$"), name="seven_digits")),
            "regency_code": column("regency_code", pa.Check(_matches(r"^\d{4}$"), name="four_digits")),
            "method": column("method", pa.Check(lambda d: d.table[d.key].isin(methods), name="known_method")),
            "service_type": column("service_type", pa.Check(lambda d: d.table[d.key].isin(service_types),
                                                            name="known_service_type")),
            "acceptors": column("acceptors", pa.Check(lambda d: d.table[d.key] >= 0, name="non_negative")),
            "report_date": column("report_date", pa.Check(lambda d: d.table[d.key].between(first_day, last_day),
                                                          name="in_window")),
            "reported_at": column("reported_at"),
            "updated_at": column("updated_at"),
        },
        # On the record rather than per column (nullable=False), so that a failure names its record.
        checks=[pa.Check(lambda d: {name: d.table[name].notnull() for name in FIELDS}, name="not_nullable"),
                pa.Check(lambda d: d.table.facility_code.substr(0, 4) == d.table.regency_code,
                         name="facility_in_regency"),
                pa.Check(lambda d: register_key(d.table.province_code, d.table.facility_code).isin(registered),
                         name="registered_facility")],
        name="daily_record",
        strict=False,
    )
