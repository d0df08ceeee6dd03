"""The campaign figures behind all generated data: target, achieved and methods per kabupaten/kota.

Seeded and computed once, so that recap files and facility-level daily data tell the same story.
Published figures (generate/published_figures.py) are reproduced exactly. A kabupaten/kota keeps its
size and its usual achievement from one campaign to the next (followed through the 2022 Papua split by
its code on today's map), so that the consistency-over-time audits find only what is planted
(generate/faults.py).
"""

from dataclasses import dataclass

import numpy as np

from devtools.generate.faults import TARGET_JUMP
from devtools.generate.published_figures import HST_2024, OKI_2024, PUBLISHED_PROVINCES
from kbetl.reference.regions import regency_crosswalk, regions_on_map
from kbetl.reference.tables import campaigns, region_map_for_year
from schemas.methods import METHOD_CODES

DEFAULT_SEED = 20220615
METHODS = list(METHOD_CODES)
METHOD_SHARES = np.array([0.12, 0.07, 0.42, 0.12, 0.20, 0.045, 0.025])
FIRST_YEAR, GROWTH = 2020, 0.03  # targets grow by 3% a campaign


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


def growth(year: int) -> float:
    return 1 + GROWTH * (year - FIRST_YEAR)


@dataclass(frozen=True)
class Usual:
    """What a kabupaten/kota is like every year: its target in the first campaign and its achievement ratio."""
    target: float
    ratio: float


def usual(seed: int, current_code: str) -> Usual:
    """Achievement ratios spread evenly (some kabupaten/kota pass 100% on the first day, some never do): an
    even spread has no modified-z outliers, so the outlier audits find only what is planted."""
    rng = np.random.default_rng([seed, int(current_code)])
    target = float(np.clip(rng.lognormal(np.log(1400), 0.6), 250, 7000))
    return Usual(target, float(rng.uniform(0.9, 1.7)))


def province_figures(rng: np.random.Generator, year: int, province: str, regencies, usuals: list[Usual]) \
        -> list[RegionFigures]:
    published = PUBLISHED_PROVINCES.get((year, province), {})
    names = list(regencies["region_name"])
    count = len(names)
    base = np.array([u.target for u in usuals]) * growth(year)
    ratios = np.array([u.ratio for u in usuals]) * rng.uniform(0.98, 1.02, count)
    if "regencies" in published:
        achieved = [published["regencies"][n] for n in names]
        targets = split_total(published["target"], np.array(achieved) * rng.uniform(0.97, 1.03, count))
    else:
        scale = _published_target(year, province)
        weights = base * rng.uniform(0.99, 1.01, count)
        targets = split_total(scale, weights) if scale else [int(round(t, -1)) for t in weights]
        if "achieved" in published:
            achieved = split_total(published["achieved"], np.array(targets) * ratios)
        else:
            achieved = [int(t * r) for t, r in zip(targets, ratios)]
    if year == OKI_2024["year"] and province == OKI_2024["province"]:
        targets, achieved = _oki_first_in_group(rng, regencies, targets, achieved)
    if (year, province) == (HST_2024["year"], HST_2024["province"]):
        i = list(regencies["region_code"]).index(HST_2024["regency"])
        achieved[i] = max(achieved[i], int(targets[i] * 1.15))
    if (year, province) == (TARGET_JUMP["year"], TARGET_JUMP["regency"][:2]):
        i = list(regencies["region_code"]).index(TARGET_JUMP["regency"])
        targets[i] *= TARGET_JUMP["factor"]
    figures = []
    for code, name, target, served in zip(regencies["region_code"], names, targets, achieved):
        shares = rng.dirichlet(METHOD_SHARES * 60)
        figures.append(RegionFigures(code, name, int(target), int(served), split_total(int(served), shares)))
    return figures


def _published_target(year: int, province: str) -> int | None:
    """A province with published targets keeps its kabupaten/kota's shares of the nearest published one."""
    years = [y for (y, p), figures in PUBLISHED_PROVINCES.items() if p == province and "target" in figures]
    if not years:
        return None
    nearest = min(years, key=lambda y: (abs(y - year), y))
    return int(round(PUBLISHED_PROVINCES[(nearest, province)]["target"] * growth(year) / growth(nearest)))


def _oki_first_in_group(rng, regencies, targets, achieved):
    """OKI gets its published figures; others with a target of 4.000 or more stay below its 134%."""
    oki_pct = OKI_2024["achieved"] / OKI_2024["target"]
    for i, code in enumerate(regencies["region_code"]):
        if code == OKI_2024["regency"]:
            targets[i], achieved[i] = OKI_2024["target"], OKI_2024["achieved"]
        elif targets[i] >= OKI_2024["target"] and achieved[i] / targets[i] >= oki_pct:
            achieved[i] = int(targets[i] * rng.uniform(1.0, oki_pct - 0.02))
    return targets, achieved


def _usuals(seed: int) -> dict[str, Usual]:
    """Each kabupaten/kota's usual figures by its code on today's map. Published kabupaten/kota figures
    set theirs: Bengkulu's of 2022, OKI's of 2024."""
    regions = regions_on_map(region_map_for_year(max(campaigns()["campaign_year"])))
    usuals = {code: usual(seed, code) for code in regions.loc[regions["level"] == "regency", "region_code"]}
    for (year, province), published in PUBLISHED_PROVINCES.items():
        if "regencies" not in published:
            continue
        on_map = regions_on_map(region_map_for_year(year))
        codes = dict(zip(on_map["region_name"], on_map["region_code"]))
        ratio = published["achieved"] / published["target"]
        for name, served in published["regencies"].items():
            usuals[codes[name]] = Usual(served / ratio / growth(year), ratio)
    oki_year, oki_pct = OKI_2024["year"], OKI_2024["achieved"] / OKI_2024["target"]
    for code in [c for c in usuals if c[:2] == OKI_2024["province"]]:
        if usuals[code].target * growth(oki_year) * 1.01 >= OKI_2024["target"]:  # OKI leads their 2024 group
            usuals[code] = Usual(usuals[code].target, min(usuals[code].ratio, oki_pct - 0.04))
    usuals[OKI_2024["regency"]] = Usual(OKI_2024["target"] / growth(oki_year), oki_pct)
    hst = HST_2024["regency"]  # reaches 100% first in 2024, at 115% or more
    usuals[hst] = Usual(usuals[hst].target, max(usuals[hst].ratio, 1.2))
    return usuals


def campaign_figures(seed: int = DEFAULT_SEED) -> dict[tuple[int, str], list[RegionFigures]]:
    """{(campaign year, province code): figures of its kabupaten/kota}, on the map of each year."""
    rng = np.random.default_rng(seed)
    usuals = _usuals(seed)
    crosswalk = regency_crosswalk()
    current = dict(zip(crosswalk["regency_code"], crosswalk["current_regency_code"]))
    figures = {}
    for year in campaigns()["campaign_year"]:
        map_version = region_map_for_year(year)
        regions = regions_on_map(map_version)
        for province in regions[regions["level"] == "province"].itertuples():
            regencies = regions[(regions["level"] == "regency") & (regions["parent_code"] == province.region_code)]
            codes = [current.get(c, c) if map_version == "34" else c for c in regencies["region_code"]]
            figures[(year, province.region_code)] = province_figures(
                rng, year, province.region_code, regencies, [usuals[c] for c in codes])
    return figures
