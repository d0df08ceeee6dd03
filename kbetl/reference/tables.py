"""The small reference tables shipped as CSV in reference/data."""

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import pandas as pd

from kbetl.reference.indonesian import WIB
from schemas.methods import METHODS

DATA_DIR = Path(__file__).parent / "data"


def read_reference_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / f"{name}.csv", dtype=str, keep_default_na=False)


@cache
def methods() -> pd.DataFrame:
    """ref.methods, from the contracts' method list (schemas/methods.csv)."""
    return pd.DataFrame([(m.code, m.name_id, m.name_en, m.is_mkjp) for m in METHODS],
                        columns=["method_code", "name_id", "name_en", "is_mkjp"])


def service_types() -> pd.DataFrame:
    return read_reference_csv("service_types")


@cache
def campaigns() -> pd.DataFrame:
    frame = read_reference_csv("campaigns")
    frame["campaign_year"] = frame["campaign_year"].astype(int)
    return frame


def campaign_years() -> list[int]:
    return campaigns()["campaign_year"].tolist()


def region_map_for_year(year: int) -> str:
    """The Kemendagri map ('34' or '38' provinces) a campaign year is reported on."""
    row = campaigns().loc[campaigns()["campaign_year"] == year, "region_map"]
    if row.empty:
        known = ", ".join(map(str, campaign_years()))
        raise ValueError(f"no campaign in {year}; the calendar has {known}")
    return row.iloc[0]


def region_map_for_report_year(year: int) -> str:
    """The map of any report year: a campaign year's own; before the calendar its first year's, after it its
    last year's (a current-users report need not fall in a campaign year)."""
    years = campaign_years()
    return region_map_for_year(min(max(year, years[0]), years[-1]))


def check_campaign_year(year: int) -> int:
    """The year, if it is a PSA campaign year; else a ValueError saying so in one sentence."""
    if year not in campaign_years():
        raise ValueError(f"{year} is no PSA campaign year (known: {', '.join(map(str, campaign_years()))})")
    return year


def campaign_days(year: int) -> list[date]:
    """The service days of a campaign year, first to last."""
    row = campaigns().set_index("campaign_year").loc[check_campaign_year(year)]
    first, last = date.fromisoformat(row["first_service_day"]), date.fromisoformat(row["last_service_day"])
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def target_groups() -> pd.DataFrame:
    frame = read_reference_csv("target_groups")
    frame["campaign_year"] = frame["campaign_year"].astype(int)
    for bound in ("min_target", "max_target"):
        frame[bound] = pd.to_numeric(frame[bound].replace("", None)).astype("Int64")
    return frame


@cache
def header_aliases() -> dict[str, str]:
    """Normalised header text → field name."""
    frame = read_reference_csv("header_aliases")
    return dict(zip(frame["alias"], frame["field"]))


@cache
def header_levels() -> dict[str, str]:
    """Normalised header text of a region name or code column → the level it names ('' when it does not say)."""
    frame = read_reference_csv("header_aliases")
    frame = frame[frame["field"].isin(["region", "region_code"])]
    return dict(zip(frame["alias"], frame["level"]))


@cache
def report_kind_markers(place: str) -> dict[tuple[str, ...], str]:
    """Words that mark the kind of report where they are read ('title' or 'header'): 'kb aktif' →
    'current_users', 'kb serentak' → 'psa'; longest first."""
    frame = read_reference_csv("report_kinds")
    frame = frame[frame["read_in"].str.split().apply(lambda places: place in places)]
    markers = {tuple(m.split()): k for m, k in zip(frame["marker"], frame["kind"])}
    return dict(sorted(markers.items(), key=lambda item: -len(item[0])))


def region_aliases() -> pd.DataFrame:
    return read_reference_csv("region_aliases")


def campaign_days_between(first: date, last: date) -> dict[int, list[date]]:
    """{campaign year: its service days between first and last, inclusive}; years with none are left out."""
    found: dict[int, list[date]] = {}
    for year in campaign_years():
        days = [d for d in campaign_days(year) if first <= d <= last]
        if days:
            found[year] = days
    return found


def yesterday_in_wib() -> date:
    return datetime.now(WIB).date() - timedelta(days=1)
