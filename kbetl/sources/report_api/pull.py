"""Pulling one province's daily facility reports from the report API.

A province comes as its register and targets (JSON) and its records: the Parquet export of the window
when the API has one (landed on disk, named by its hash), else the JSON pages, decoded here to the
contract's types. The records are checked against the contract where they are loaded
(kbetl.warehouse.load_reports). A province whose pull fails (after the client's retries) comes back marked failed
with nothing to load; the others are unaffected.
"""

import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from kbetl.reference.tables import region_map_for_year
from kbetl.sources.report_api.client import ApiError, Export, Landing, ReportApiClient
from kbetl.sources.report_api.decode import decode_records, records_with_source


@dataclass
class ProvincePull:
    campaign_year: int
    province_code: str
    days: list[date]
    status: str = "pulled"  # 'pulled' | 'failed'
    error: str | None = None
    retryable: bool = True  # False when asking again cannot help (a refusal, a limit, the deadline passed)
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
                  landing_dir: Path | None = None, deadline_at: float | None = None) -> ProvincePull:
    """With a landing_dir, asks for the Parquet export first and falls back to the JSON pages. The pull
    ends by deadline_at (epoch seconds; default: the client's deadline from now), or fails as timed out."""
    started = time.monotonic()
    pull = ProvincePull(year, province, list(days))
    client.start_deadline(deadline_at)
    try:
        register = client.facilities(province, year)
        targets = client.targets(province, year)
        pull.export = (client.services_export(province, min(days), max(days), landing_dir)
                       if landing_dir is not None else None)
        services = [] if pull.export else [client.services(province, day) for day in days]
    except ApiError as exc:
        pull.status, pull.error, pull.retryable = "failed", client.scrub(str(exc)), not exc.permanent
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
        raw = records_with_source(services)
        pull.records_in = len(raw)
        pull.records, pull.undecodable = decode_records(raw)
    pull.seconds = time.monotonic() - started
    return pull


def pull_one_province(base_url: str | None, year: int, province: str, days: list[date],
                      landing_dir: Path | None, deadline_at: float | None = None) -> ProvincePull:
    """A province pulled with a client of its own (one requests session per thread)."""
    client = ReportApiClient(base_url)
    try:
        return pull_province(client, year, province, days, landing_dir, deadline_at)
    finally:
        client.close()
