"""Daily facility reports: pulling a province from the report API.

A province comes as its register and targets (JSON) and its records: the Parquet export of the window
when the API has one (landed on disk, named by its hash), else the JSON pages, decoded here to the
contract's types. The records are checked against the contract where they are loaded
(kbetl.load_daily). A province whose pull fails (after the client's retries) comes back marked failed
with nothing to load; the others are unaffected.
"""

import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from kbetl.extract.report_api import ApiError, Export, Landing, Pull, ReportApiClient
from kbetl.reference.tables import region_map_for_year
from schemas.daily import CHECK_DESCRIPTIONS, DECODE_CHECKS, FIELDS

RECORD_COLUMNS = list(FIELDS)
SOURCE_COLUMNS = ["file_sha256", "file_name", "source_row"]
QUARANTINE_COLUMNS = ["file_sha256", "file_name", "source_row", "column_name", "check_name", "value", "message"]
ZONED = r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)"


@dataclass
class ProvincePull:
    campaign_year: int
    province_code: str
    days: list[date]
    status: str = "pulled"  # 'pulled' | 'failed'
    error: str | None = None
    landings: list[Landing] = field(default_factory=list)  # JSON responses
    export: Export | None = None  # the records, when the API exported them
    facilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    records: pd.DataFrame = field(default_factory=pd.DataFrame)  # from JSON pages: decoded, with their source
    undecodable: pd.DataFrame = field(default_factory=pd.DataFrame)  # JSON values of the wrong type
    responses: int = 0
    records_in: int = 0
    records_accepted: int = 0  # these three are set when the pull is loaded
    records_rejected: int = 0
    records_new: int = 0
    seconds: float = 0.0

    @property
    def map_version(self) -> str:
        return region_map_for_year(self.campaign_year)

    def released(self) -> "ProvincePull":
        """The same pull without its data (what a summary needs once the data is written)."""
        return replace(self, landings=[], facilities=pd.DataFrame(), targets=pd.DataFrame(), records=pd.DataFrame(),
                       undecodable=pd.DataFrame())


def pull_province(client: ReportApiClient, year: int, province: str, days: list[date],
                  landing_dir: Path | None = None) -> ProvincePull:
    """With a landing_dir, asks for the Parquet export first and falls back to the JSON pages."""
    started = time.monotonic()
    pull = ProvincePull(year, province, list(days))
    try:
        register = client.facilities(province, year)
        targets = client.targets(province, year)
        pull.export = (client.services_export(province, min(days), max(days), landing_dir)
                       if landing_dir is not None else None)
        services = [] if pull.export else [client.services(province, day) for day in days]
    except ApiError as exc:
        pull.status, pull.error = "failed", str(exc)
        pull.seconds = time.monotonic() - started
        return pull
    pull.landings = register.landings + targets.landings + [lnd for s in services for lnd in s.landings]
    pull.facilities = pd.DataFrame(register.items, columns=["facility_code", "facility_name", "district_code",
                                                             "regency_code", "kind"])
    pull.targets = pd.DataFrame(targets.items, columns=["region_code", "level", "target", "kbpp_target"])
    pull.responses = len(pull.landings) + (1 if pull.export else 0)
    if pull.export:
        pull.records_in = pull.export.records
    else:
        raw = _records_with_source(services)
        pull.records_in = len(raw)
        pull.records, pull.undecodable = decode_records(raw)
    pull.seconds = time.monotonic() - started
    return pull


def _records_with_source(services: list[Pull]) -> pd.DataFrame:
    frames = []
    for service in services:
        for landing, items in zip(service.landings, service.pages):
            frame = pd.DataFrame(items, columns=RECORD_COLUMNS, dtype=object)
            frames.append(frame.assign(file_sha256=landing.sha256, file_name=source_name(landing.url),
                                       source_row=range(1, len(frame) + 1)))
    if not frames:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, *SOURCE_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def source_name(url: str) -> str:
    """A response's name in the audit tables: its path and query (never the host or a token)."""
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}"


def decode_records(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """JSON text to the contract's types: (records that could be read, their values that could not).
    A missing value stays missing, for the contract to reject."""
    acceptors = pd.to_numeric(raw["acceptors"], errors="coerce")
    decoded = {
        "acceptors": acceptors.where(acceptors % 1 == 0).astype("Int64"),
        "report_date": pd.to_datetime(raw["report_date"], format="%Y-%m-%d", errors="coerce"),
        **{name: pd.to_datetime(raw[name].where(raw[name].astype("string").str.fullmatch(ZONED).fillna(False)),
                                utc=True, format="ISO8601", errors="coerce")
           for name in ("reported_at", "updated_at")},
    }
    problems, bad = [], pd.Series(False, index=raw.index)
    for name, values in decoded.items():
        wrong = raw[name].notna() & values.isna()
        bad |= wrong
        check = DECODE_CHECKS[name]
        problems += [(row.file_sha256, row.file_name, int(row.source_row), name, check, str(row[name]),
                      f"{name}: expected {CHECK_DESCRIPTIONS[check]}") for _, row in raw[wrong].iterrows()]
    text = {name: raw[name].astype("string") for name in ("facility_code", "regency_code", "method", "service_type")}
    records = raw.assign(**text, **decoded)[~bad]
    return records.reset_index(drop=True), pd.DataFrame(problems, columns=QUARANTINE_COLUMNS)
