"""Daily facility reports: pulling a province from the report API and validating what it sent.

Nothing here touches the warehouse. A province whose pull fails (after the client's retries) comes
back marked failed with nothing to load; the others are unaffected.
"""

import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlparse

import pandas as pd
import pandera.pandas as pa

from kbetl.extract.report_api import ApiError, Landing, Pull, ReportApiClient
from kbetl.reference.tables import method_codes, region_map_for_year, service_types
from schemas.daily import CHECK_DESCRIPTIONS, FIELDS, ROW_CHECK_COLUMNS, daily_record_schema

RECORD_COLUMNS = list(FIELDS)
QUARANTINE_COLUMNS = ["file_sha256", "file_name", "source_row", "column_name", "check_name", "value", "message"]


@dataclass
class ProvincePull:
    campaign_year: int
    province_code: str
    days: list[date]
    status: str = "pulled"  # 'pulled' | 'failed'
    error: str | None = None
    landings: list[Landing] = field(default_factory=list)
    facilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    records: pd.DataFrame = field(default_factory=pd.DataFrame)  # accepted, typed
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    records_in: int = 0
    seconds: float = 0.0

    @property
    def map_version(self) -> str:
        return region_map_for_year(self.campaign_year)

    @property
    def records_rejected(self) -> int:
        return 0 if self.quarantine.empty else len(self.quarantine[["file_sha256", "source_row"]].drop_duplicates())

    def released(self) -> "ProvincePull":
        """The same pull without its data (what a summary needs once the data is written)."""
        return ProvincePull(self.campaign_year, self.province_code, self.days, self.status, self.error,
                            records_in=self.records_in, seconds=self.seconds,
                            quarantine=self.quarantine[["file_sha256", "source_row"]] if not self.quarantine.empty
                            else self.quarantine)


def pull_province(client: ReportApiClient, year: int, province: str, days: list[date]) -> ProvincePull:
    started = time.monotonic()
    pull = ProvincePull(year, province, list(days))
    try:
        register = client.facilities(province, year)
        targets = client.targets(province, year)
        services = [client.services(province, day) for day in days]
    except ApiError as exc:
        pull.status, pull.error = "failed", str(exc)
        pull.seconds = time.monotonic() - started
        return pull
    pull.landings = register.landings + targets.landings + [lnd for s in services for lnd in s.landings]
    pull.facilities = pd.DataFrame(register.items, columns=["facility_code", "facility_name", "district_code",
                                                             "regency_code", "kind"])
    pull.targets = pd.DataFrame(targets.items, columns=["region_code", "level", "target", "kbpp_target"])
    raw = _records_with_source(services)
    pull.records_in = len(raw)
    pull.records, pull.quarantine = validate_records(raw, min(days), max(days), set(pull.facilities["facility_code"]))
    pull.seconds = time.monotonic() - started
    return pull


def _records_with_source(services: list[Pull]) -> pd.DataFrame:
    frames = []
    for service in services:
        for landing, items in zip(service.landings, service.pages):
            frame = pd.DataFrame(items, columns=RECORD_COLUMNS, dtype=object)
            frames.append(frame.assign(file_sha256=landing.sha256, file_name=urlparse(landing.url).path
                                       + "?" + urlparse(landing.url).query, source_row=range(1, len(frame) + 1)))
    if not frames:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, "file_sha256", "file_name", "source_row"])
    return pd.concat(frames, ignore_index=True)


def validate_records(raw: pd.DataFrame, first_day: date, last_day: date,
                     registered: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted records, typed; quarantined cells) — every record is checked, lazily."""
    schema = daily_record_schema(first_day, last_day, method_codes(), service_types()["service_type_code"].tolist(),
                                 registered)
    problems = []
    try:
        schema.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            if pd.isna(case.index):
                continue
            row = raw.loc[int(case.index)]
            column = case.column if isinstance(case.column, str) else ROW_CHECK_COLUMNS.get(case.check, "")
            value = row.get(column)
            reason = CHECK_DESCRIPTIONS.get(case.check, case.check)
            if case.check == "registered_facility":
                reason += f": {value} is not registered in province {str(value)[:2]}"
            problems.append((int(case.index), row["file_sha256"], row["file_name"], int(row["source_row"]), column,
                             case.check, None if value is None or pd.isna(value) else str(value),
                             f"{column}: expected {reason}"))
    bad = {p[0] for p in problems}
    quarantine = pd.DataFrame([p[1:] for p in problems], columns=QUARANTINE_COLUMNS).drop_duplicates()
    accepted = raw.drop(index=list(bad))
    typed = accepted.assign(
        acceptors=pd.to_numeric(accepted["acceptors"]).astype("int64"),
        report_date=pd.to_datetime(accepted["report_date"], format="%Y-%m-%d").dt.date,
        reported_at=pd.to_datetime(accepted["reported_at"], utc=True, format="ISO8601"),
        updated_at=pd.to_datetime(accepted["updated_at"], utc=True, format="ISO8601"),
    )
    return typed.reset_index(drop=True), quarantine.reset_index(drop=True)
