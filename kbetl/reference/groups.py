"""Region groups (wilayah khusus): named lists of kabupaten/kota, such as the daerah tertinggal, whose
achievement offices compare against the rest.

A group is listed by name in data/region_groups.csv, one row per (group, first year, last year,
province, regency), so that users can add rows. The province is named as in 2020 (the 34-province map;
a province created in 2022, such as Papua Selatan, is accepted too); the regency is a kabupaten unless
written "Kota …" (Perpres lists name kabupaten bare: "Kupang" is Kab. Kupang, not Kota Kupang). Each
row is conformed to a code on the map of every campaign year it covers: on map 34 within its 2020
province, on map 38 within the provinces that province's kabupaten/kota went to in 2022 (Papua's to
Papua, Papua Selatan, Papua Tengah and Papua Pegunungan; Papua Barat's to Papua Barat and Papua Barat
Daya). A name that does not resolve stops the load, naming the row and the closest candidates.
"""

from functools import cache
from itertools import groupby
from pathlib import Path

import pandas as pd

from kbetl.reference.names import RegionMatcher, RegionNotResolved, matcher_for, split_kind
from kbetl.reference.regions import regency_crosswalk, regions_on_map
from kbetl.reference.tables import DATA_DIR, campaign_years, region_map_for_year

CSV_PATH = DATA_DIR / "region_groups.csv"
CSV_COLUMNS = ("group_name", "first_year", "last_year", "province", "regency")
COLUMNS = ["group_name", "first_year", "last_year", "map_version", "region_code", "region_name"]
PROVINCE_MAP = "34"  # provinces are named as in 2020
TODAY_MAP = "38"  # the map regency_crosswalk leads to


class RegionGroupsInvalid(ValueError):
    """A row of the region groups CSV that cannot be used; the message names the row."""

    def __init__(self, message: str, row: int, candidates: list[str] | None = None):
        self.row, self.candidates = row, candidates or []
        super().__init__(message)


@cache
def region_groups() -> pd.DataFrame:
    """ref.region_groups: the shipped CSV, one row per group, region and run of campaign years on one map."""
    return load_region_groups(CSV_PATH)


def load_region_groups(path: Path) -> pd.DataFrame:
    """One row per (group_name, region_code, consecutive campaign years on one map); years outside the
    campaign calendar are left out. Raises RegionGroupsInvalid naming the first row that cannot be used."""
    source = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CSV_COLUMNS if c not in source.columns]
    if missing:
        raise RegionGroupsInvalid(f"{path.name} has no column {', '.join(missing)}; it needs "
                                  f"{', '.join(CSV_COLUMNS)}", row=1)
    rows, seen = [], {}
    for row_number, line in enumerate(source.itertuples(index=False), start=2):  # row 1 is the header
        where = (f"{path.name} row {row_number} ({line.group_name!r}, {line.first_year}-{line.last_year}, "
                 f"{line.province!r}, {line.regency!r})")
        first, last = _years(line.first_year, line.last_year, line.group_name, where, row_number)
        provinces = _provinces_by_map(line.province, where, row_number)
        years = [y for y in campaign_years() if first <= y <= last]
        for map_version, run in groupby(years, key=region_map_for_year):
            run = list(run)
            region = _resolve_regency(line.regency, map_version, provinces[map_version], where, row_number)
            for year in run:
                key = (line.group_name.strip(), year, region.code)
                if key in seen:
                    raise RegionGroupsInvalid(
                        f"{where} lists {region.name} ({region.code}) in {year} again; row {seen[key]} "
                        f"already does", row_number)
                seen[key] = row_number
            rows.append((line.group_name.strip(), run[0], run[-1], map_version, region.code, region.name))
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(
        {c: "int64" if c.endswith("_year") else "str" for c in COLUMNS})
    return frame.sort_values(["group_name", "first_year", "region_code"], ignore_index=True)


def _years(first: str, last: str, group_name: str, where: str, row: int) -> tuple[int, int]:
    if not group_name.strip():
        raise RegionGroupsInvalid(f"{where} has no group name", row)
    try:
        first_year, last_year = int(first), int(last)
    except ValueError:
        raise RegionGroupsInvalid(f"{where}: first_year and last_year must be years such as 2020", row) from None
    if first_year > last_year:
        raise RegionGroupsInvalid(f"{where}: first_year is after last_year", row)
    return first_year, last_year


def _provinces_by_map(name: str, where: str, row: int) -> dict[str, tuple[str, ...]]:
    """{map version: the province codes the row's kabupaten/kota lies in on that map}."""
    try:
        code = matcher_for(PROVINCE_MAP, "province").resolve(name).code
        return {PROVINCE_MAP: (code,), TODAY_MAP: _successors()[code]}
    except RegionNotResolved as not_in_2020:
        try:  # a province created in 2022 (Papua Selatan, Papua Barat Daya, …)
            code = matcher_for(TODAY_MAP, "province").resolve(name).code
        except RegionNotResolved:
            raise RegionGroupsInvalid(f"{where} on map {PROVINCE_MAP}: {not_in_2020}", row,
                                      not_in_2020.candidates) from None
        return {PROVINCE_MAP: _predecessors()[code], TODAY_MAP: (code,)}


def _resolve_regency(name: str, map_version: str, provinces: tuple[str, ...], where: str, row: int):
    written = name if split_kind(name)[0] else f"Kab. {name.strip()}"
    try:
        if len(provinces) == 1:
            return matcher_for(map_version, "regency").resolve(written, provinces[0])
        return _matcher_within(map_version, provinces).resolve(written)
    except RegionNotResolved as error:
        within = f" (provinces {', '.join(provinces)})" if len(provinces) > 1 else ""
        raise RegionGroupsInvalid(f"{where} on map {map_version}{within}: {error}", row,
                                  error.candidates) from None


@cache
def _matcher_within(map_version: str, provinces: tuple[str, ...]) -> RegionMatcher:
    """A matcher over the kabupaten/kota of several provinces (those a 2020 province split into)."""
    regions = regions_on_map(map_version)
    return RegionMatcher(regions[(regions["level"] == "regency") & regions["parent_code"].isin(provinces)],
                         "regency")


@cache
def _successors() -> dict[str, tuple[str, ...]]:
    """{province on map 34: the provinces on map 38 its kabupaten/kota are in}."""
    return _links(old_side=True)


@cache
def _predecessors() -> dict[str, tuple[str, ...]]:
    """{province on map 38: the provinces on map 34 its kabupaten/kota were in}."""
    return _links(old_side=False)


def _links(old_side: bool) -> dict[str, tuple[str, ...]]:
    walk = regency_crosswalk()
    old, new = walk["regency_code"].str[:2], walk["current_regency_code"].str[:2]
    keys, values = (old, new) if old_side else (new, old)
    return {k: tuple(sorted(set(v))) for k, v in pd.DataFrame({"k": keys, "v": values}).groupby("k")["v"]}
