"""marts.group_achievement on the bundled sample: every campaign year, and a group's figures are the sums of
its kabupaten/kota in marts.achievement (computed here from ref.region_groups, independently of the mart)."""

import shutil
from decimal import Decimal

import duckdb
import pytest

from kbetl.reference.groups import region_groups
from kbetl.warehouse.transform import run_transforms
from tests.helpers.warehouse import SAMPLE_DIR, query

TERTINGGAL = "Daerah tertinggal 2020-2024"


def members(year: int) -> list[str]:
    groups = region_groups()
    rows = groups[(groups["group_name"] == TERTINGGAL) & (groups["first_year"] <= year) & (groups["last_year"] >= year)]
    return rows["region_code"].tolist()


def sums(db, year: int, codes: list[str], inside: bool) -> tuple:
    """(regions, target, achieved, achievement_pct, mkjp_regions, mkjp_share_pct) over the kabupaten/kota of
    marts.achievement that year inside (or outside) the codes given."""
    return query(db, f"""
        select count(*), sum(target), sum(achieved),
               cast(round(100.0 * sum(achieved) / sum(target), 2) as decimal(9, 2)),
               count(mkjp_achieved),
               cast(round(100.0 * sum(iud + implant + mow + mop) / sum(achieved) filter (where iud is not null), 2)
                    as decimal(9, 2))
        from marts.achievement
        where campaign_year = ? and level = 'regency' and {'' if inside else 'not'} list_contains(?, region_code)
        """, [year, codes])[0]


def test_every_campaign_year_of_the_sample_has_one_row_per_group(sample_warehouse):
    db, _ = sample_warehouse
    sample_years = sorted(int(p.name) for p in SAMPLE_DIR.iterdir() if p.is_dir())
    rows = query(db, "select campaign_year, group_name, group_regions from marts.group_achievement order by all")
    assert [(year, group) for year, group, _ in rows] == [(year, TERTINGGAL) for year in sample_years]
    assert sample_years == list(range(2020, 2026))
    assert {year: listed for year, _, listed in rows} == {2020: 62, 2021: 62, 2022: 62, 2023: 62, 2024: 62, 2025: 0}


@pytest.mark.parametrize("year", [2022, 2023])  # the last year on map 34, the first on map 38
def test_a_group_and_the_rest_are_the_sums_of_their_kabupaten_kota(sample_warehouse, year):
    db, _ = sample_warehouse
    codes = members(year)
    assert len(codes) == 62
    (row,) = query(db, """
        select regions, target, achieved, achievement_pct, mkjp_regions, mkjp_share_pct,
               outside_regions, outside_target, outside_achieved, outside_achievement_pct, outside_mkjp_regions,
               outside_mkjp_share_pct
        from marts.group_achievement where campaign_year = ? and group_name = ?""", [year, TERTINGGAL])
    inside, outside = sums(db, year, codes, inside=True), sums(db, year, codes, inside=False)
    assert row[:6] == inside and row[6:] == outside
    assert inside[0] == 62 and inside[1] > 0 and isinstance(row[3], Decimal)
    (regencies,) = query(db, "select count(*) from marts.achievement where campaign_year = ? and level = 'regency'",
                         [year])[0]
    assert inside[0] + outside[0] == regencies


def test_a_year_the_group_has_no_list_for_has_its_row_with_no_figures(sample_warehouse):
    db, _ = sample_warehouse
    (row,) = query(db, "select * exclude (campaign_year, map_version, group_name) from marts.group_achievement "
                       "where campaign_year = 2025")
    assert row == (0, 0, None, None, None, 0, None, None, None, None, None, None, None)


def test_a_year_rebuilt_alone_equals_the_full_build(sample_warehouse, tmp_path):
    db, _ = sample_warehouse
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    try:
        run_transforms(con, years=[2023])
    finally:
        con.close()
    table = "select * from marts.group_achievement order by all"
    assert query(copy, table) == query(db, table)
