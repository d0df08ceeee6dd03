"""The campaign figures behind all generated data: target, achieved and methods per kabupaten/kota.

Seeded and computed once, so that recap files and facility-level daily data tell the same story.
Published figures (generate/published.py) are reproduced exactly.
"""

from dataclasses import dataclass

import numpy as np

from devtools.generate.published_figures import HST_2024, OKI_2024, PUBLISHED_PROVINCES
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import campaigns, region_map_for_year
from schemas.methods import METHOD_CODES

DEFAULT_SEED = 20220615
METHODS = list(METHOD_CODES)
METHOD_SHARES = np.array([0.12, 0.07, 0.42, 0.12, 0.20, 0.045, 0.025])


@dataclass
class RegionFigures:
    code: str
    name: str
    target: int
    achieved: int
    methods: list[int]
    stated_pct: float | None = None

    @property
    def pct(self) -> float:
        return self.stated_pct if self.stated_pct is not None else 100 * self.achieved / self.target


def split_total(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to weights that add up to total exactly (largest remainder)."""
    raw = total * weights / weights.sum()
    parts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - parts))[: total - parts.sum()]:
        parts[i] += 1
    return parts.tolist()


def province_figures(rng: np.random.Generator, year: int, province: str, regencies) -> list[RegionFigures]:
    published = PUBLISHED_PROVINCES.get((year, province), {})
    names = list(regencies["region_name"])
    count = len(names)
    if "regencies" in published:
        achieved = [published["regencies"][n] for n in names]
        targets = split_total(published["target"], np.array(achieved) * rng.uniform(0.85, 1.15, count))
    else:
        if "target" in published:
            targets = split_total(published["target"], rng.lognormal(0, 0.45, count))
        else:
            targets = [int(t) for t in np.clip(rng.lognormal(np.log(1400), 0.6, count), 250, 7000).round(-1)]
        if "achieved" in published:
            achieved = split_total(published["achieved"], np.array(targets) * rng.uniform(0.8, 1.2, count))
        else:
            achieved = [int(t * r) for t, r in zip(targets, np.clip(rng.normal(1.2, 0.25, count), 0.55, 2.1))]
    if year == OKI_2024["year"] and province == OKI_2024["province"]:
        targets, achieved = _oki_first_in_group(rng, regencies, targets, achieved)
    if (year, province) == (HST_2024["year"], HST_2024["province"]):
        i = list(regencies["region_code"]).index(HST_2024["regency"])
        achieved[i] = max(achieved[i], int(targets[i] * 1.15))
    figures = []
    for code, name, target, served in zip(regencies["region_code"], names, targets, achieved):
        shares = rng.dirichlet(METHOD_SHARES * 60)
        figures.append(RegionFigures(code, name, int(target), int(served), split_total(int(served), shares)))
    return figures


def _oki_first_in_group(rng, regencies, targets, achieved):
    """OKI gets its published figures; others with a target of 4.000 or more stay below its 134%."""
    oki_pct = OKI_2024["achieved"] / OKI_2024["target"]
    for i, code in enumerate(regencies["region_code"]):
        if code == OKI_2024["regency"]:
            targets[i], achieved[i] = OKI_2024["target"], OKI_2024["achieved"]
        elif targets[i] >= OKI_2024["target"] and achieved[i] / targets[i] >= oki_pct:
            achieved[i] = int(targets[i] * rng.uniform(1.0, oki_pct - 0.02))
    return targets, achieved


def campaign_figures(seed: int = DEFAULT_SEED) -> dict[tuple[int, str], list[RegionFigures]]:
    """{(campaign year, province code): figures of its kabupaten/kota}, on the map of each year."""
    rng = np.random.default_rng(seed)
    figures = {}
    for year in campaigns()["campaign_year"]:
        regions = regions_on_map(region_map_for_year(year))
        for province in regions[regions["level"] == "province"].itertuples():
            regencies = regions[(regions["level"] == "regency") & (regions["parent_code"] == province.region_code)]
            figures[(year, province.region_code)] = province_figures(rng, year, province.region_code, regencies)
    return figures
