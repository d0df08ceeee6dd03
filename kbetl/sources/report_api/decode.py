"""Decoding JSON pages of daily records to the contract's types, each record with its source."""

from urllib.parse import urlparse

import pandas as pd

from kbetl.sources.report_api.client import Pull
from schemas.audit import PROBLEM, SOURCE
from schemas.daily import CHECK_DESCRIPTIONS, DECODE_CHECKS, FIELDS

RECORD_COLUMNS = list(FIELDS)
SOURCE_COLUMNS = [*SOURCE, "source_row"]
REJECTED_COLUMNS = [*SOURCE, *PROBLEM]  # audit.quarantine, less the run
ZONED = r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)"


def records_with_source(services: list[Pull]) -> pd.DataFrame:
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
    return records.reset_index(drop=True), pd.DataFrame(problems, columns=REJECTED_COLUMNS)
