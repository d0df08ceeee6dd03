"""Seeded facility register and daily facility service records, consistent with the campaign figures.

Each kabupaten/kota gets tens to a few hundred facilities (one per ~35 acceptors of target, 10-300),
assigned to its kecamatan. Its acceptors per method (from generate/figures.py) are split over the
campaign's service days (front-loaded, so some regions pass 100% on day one), its facilities and the
four service types, so facility sums reproduce the recap figures exactly. Hulu Sungai Tengah's
facilities report first in 2024, so it is the fastest in Kalimantan Selatan to reach 100%.

`days_factor` above 1 grows the data the way routine service reporting through the year grows it: each
campaign's window is followed by more reporting days (`reporting_days`), each drawn like the window's
own days (its day pattern repeated) with the acceptors growing in proportion, so the national shape
(provinces, kabupaten, methods, service types) stays; the register is the same.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd

from devtools.generate.figures import DEFAULT_SEED, METHODS, campaign_figures
from devtools.generate.published_figures import HST_2024
from kbetl.reference.indonesian import WIB
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import campaign_days, campaigns, region_map_for_year, service_types

SERVICE_TYPE_SHARES = np.array([0.30, 0.50, 0.10, 0.10])
FACILITY_KINDS = ("puskesmas", "klinik", "bidan_praktik_mandiri", "rumah_sakit")
KALSEL = "63"


@dataclass
class FacilityData:
    facilities: pd.DataFrame  # the register: one row per campaign year and facility
    records: pd.DataFrame | None  # one row per facility, day, method and service type served
    # (None for a server that only streams exports prepared beforehand, as the benchmark's does)
    targets: pd.DataFrame  # per kabupaten/kota (and kecamatan in Kalimantan Selatan) and year


def reporting_days(days: list[date], days_factor: float = 1.0) -> list[date]:
    """A campaign's service days, followed by more days when days_factor > 1 (round(len × factor) in all)."""
    count = max(len(days), round(len(days) * days_factor))
    return [days[0] + timedelta(days=i) for i in range(count)]


def generate_facility_data(years: list[int] | None = None, provinces: list[str] | None = None,
                           seed: int = DEFAULT_SEED, scale: float = 1.0, days_factor: float = 1.0) -> FacilityData:
    """Facility data for the given campaign years and provinces (default: all); `scale` shrinks acceptors,
    `days_factor` above 1 adds reporting days after each window (see the module's docstring)."""
    figures = _figures(seed)
    types = service_types()["service_type_code"].tolist()
    facilities, records, targets = [], [], []
    for year in years or campaigns()["campaign_year"].tolist():
        regions = regions_on_map(region_map_for_year(year))
        districts = regions[regions["level"] == "district"].groupby("parent_code")["region_code"].apply(list)
        window = campaign_days(year)
        days = reporting_days(window, days_factor)
        for (fig_year, province), regency_figures in figures.items():
            if fig_year != year or (provinces and province not in provinces):
                continue
            for regency in regency_figures:
                rng = np.random.default_rng([seed, year, int(regency.code)])
                register = _facilities(rng, year, province, regency, districts.get(regency.code, []))
                facilities.append(register)
                records.append(_records(rng, year, province, regency, register, days, types,
                                        scale * len(days) / len(window), len(window)))
                targets += _targets(rng, year, province, regency, districts.get(regency.code, []))
    return FacilityData(
        pd.concat(facilities, ignore_index=True),
        pd.concat(records, ignore_index=True),
        pd.DataFrame(targets, columns=["campaign_year", "province_code", "region_code", "level", "target",
                                       "kbpp_target"]).astype({"kbpp_target": "Int64"}),
    )


@cache
def _figures(seed: int) -> dict:
    """The campaign figures of a seed, drawn once per process (seconds each; the benchmark asks province by
    province). Read only."""
    return campaign_figures(seed)


def _facilities(rng, year, province, regency, districts) -> pd.DataFrame:
    count = int(np.clip(round(regency.target / 35), 10, 300))
    codes = [f"{regency.code}{i:03d}" for i in range(1, count + 1)]
    kinds = rng.choice(FACILITY_KINDS, size=count, p=[0.25, 0.25, 0.45, 0.05])
    kinds[: max(1, count // 10)] = "puskesmas"
    return pd.DataFrame({
        "campaign_year": year, "facility_code": codes,
        "facility_name": [f"{k.replace('_', ' ').title()} {regency.name.split('. ')[-1]} {c[-3:]}"
                          for k, c in zip(kinds, codes)],
        "district_code": [districts[i % len(districts)] if districts else None for i in range(count)],
        "regency_code": regency.code, "province_code": province, "kind": kinds,
    })


def _records(rng, year, province, regency, register, days, types, scale, window) -> pd.DataFrame:
    """The window's days front-loaded; the reporting days after it (if any) repeat the window's pattern."""
    day_weights = np.resize(rng.dirichlet(np.exp(-0.6 * np.arange(window)) * 8 + 0.05), len(days))
    facility_weights = rng.lognormal(0, 0.7, len(register))
    facility_weights /= facility_weights.sum()
    cells = np.einsum("d,f,s->dfs", day_weights, facility_weights, SERVICE_TYPE_SHARES).ravel()
    hits, counts, methods = [], [], []
    for method, (_, total) in enumerate(zip(METHODS, regency.methods)):
        drawn = rng.multinomial(int(round(total * scale)), cells / cells.sum())
        hit = np.flatnonzero(drawn)
        hits.append(hit)
        counts.append(drawn[hit])
        methods.append(np.full(len(hit), method))
    # the cells drawn, method by method (arrays: a frame per method cost most of the generator's time)
    day_i, facility_i, type_i = np.unravel_index(np.concatenate(hits), (len(days), len(register), len(types)))
    early = (year, province, regency.code) == (HST_2024["year"], HST_2024["province"], HST_2024["regency"])
    start_hour = np.where(early, 7.0, 9.0)
    minutes = rng.uniform(start_hour * 60, (12 if early else 21) * 60, len(day_i))
    report_dates = np.array(days, dtype="datetime64[D]")[day_i]
    reported_at = (pd.to_datetime(report_dates) + pd.to_timedelta(minutes.round(), unit="min")).tz_localize(WIB)
    return pd.DataFrame({
        "campaign_year": year, "province_code": province,
        "report_date": pd.to_datetime(report_dates).date,
        "facility_code": register["facility_code"].to_numpy()[facility_i],
        "regency_code": regency.code, "method": np.array(METHODS, dtype=object)[np.concatenate(methods)],
        "service_type": np.array(types)[type_i],
        "acceptors": np.concatenate(counts), "reported_at": reported_at, "updated_at": reported_at,
    })


def _targets(rng, year, province, regency, districts) -> list[tuple]:
    kbpp = int(round(regency.target * 0.1))
    rows = [(year, province, regency.code, "regency", regency.target, kbpp)]
    if province == KALSEL and districts:
        # Kalimantan Selatan's offices set daily targets per kecamatan (Balai KB).
        shares = rng.dirichlet(np.full(len(districts), 4.0))
        parts = np.floor(shares * regency.target).astype(int)
        parts[0] += regency.target - parts.sum()
        rows += [(year, province, code, "district", int(t), None) for code, t in zip(districts, parts)]
    return rows
