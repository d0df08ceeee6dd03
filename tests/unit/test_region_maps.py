"""The region maps: today's, the one before the Papua split, and the crosswalk between them."""

from kbetl.reference.regions import current_regions, regency_crosswalk, regions_on_map


def test_todays_map_has_38_provinces_514_regencies_7277_kecamatan():
    counts = current_regions()["level"].value_counts().to_dict()
    assert counts == {"national": 1, "province": 38, "regency": 514, "district": 7277}


def test_map_before_the_papua_split_has_34_provinces():
    old = regions_on_map("34")
    provinces = old[old["level"] == "province"]
    assert len(provinces) == 34
    assert set(provinces["region_code"]) & {"92", "93", "95", "96"} == set()
    assert provinces.set_index("region_code").loc[["91", "94"], "region_name"].tolist() == ["Papua Barat", "Papua"]
    assert (old["level"] == "regency").sum() == 514


def test_codes_are_plain_digits_of_their_level_length():
    regions = current_regions()
    lengths = {"national": 2, "province": 2, "regency": 4, "district": 6}
    for level, length in lengths.items():
        codes = regions.loc[regions["level"] == level, "region_code"]
        assert codes.str.fullmatch(rf"\d{{{length}}}").all(), level


def test_every_old_regency_has_exactly_one_current_code():
    crosswalk = regency_crosswalk()
    assert len(crosswalk) == 514
    assert crosswalk["regency_code"].is_unique and crosswalk["current_regency_code"].is_unique
    current = set(current_regions().query("level == 'regency'")["region_code"])
    assert set(crosswalk["current_regency_code"]) == current
    moved = crosswalk.set_index("regency_code")["current_regency_code"]
    assert moved["9401"] == "9301"  # Merauke: Papua → Papua Selatan
    assert moved["9107"] == "9601"  # Kab. Sorong: Papua Barat → Papua Barat Daya
