"""Region groups: the shipped daerah tertinggal list conforms to both maps, and a user's row that does not
resolve stops the load, naming the row and the closest candidates."""

import pytest

from kbetl.reference.groups import RegionGroupsInvalid, load_region_groups, region_groups
from kbetl.reference.regions import regency_crosswalk, regions_on_map

TERTINGGAL = "Daerah tertinggal 2020-2024"
HEADER = "group_name,first_year,last_year,province,regency,source\n"


@pytest.fixture(scope="module")
def shipped():
    return region_groups()[lambda f: f["group_name"] == TERTINGGAL]


def code_on(shipped, map_version: str, name: str) -> str:
    rows = shipped[(shipped["map_version"] == map_version) & (shipped["region_name"] == name)]
    assert len(rows) == 1, (map_version, name)
    return rows["region_code"].iloc[0]


def test_the_shipped_list_is_62_kabupaten_on_each_map(shipped):
    for map_version, (first, last) in {"34": (2020, 2022), "38": (2023, 2024)}.items():
        on_map = shipped[shipped["map_version"] == map_version]
        assert on_map["region_code"].nunique() == len(on_map) == 62
        assert set(zip(on_map["first_year"], on_map["last_year"])) == {(first, last)}
        register = regions_on_map(map_version).set_index("region_code")
        assert set(register.loc[on_map["region_code"], "level"]) == {"regency"}
        assert on_map["region_name"].str.startswith("Kab. ").all()
        assert on_map["region_code"].str[2:].astype(int).lt(70).all()  # 01-69: kabupaten
    assert set(shipped["map_version"]) == {"34", "38"}  # 2025 is outside the list's years


def test_names_resolve_to_the_same_kabupaten_on_both_maps(shipped):
    walk = dict(zip(regency_crosswalk()["regency_code"], regency_crosswalk()["current_regency_code"]))
    old = shipped[shipped["map_version"] == "34"]["region_code"]
    new = shipped[shipped["map_version"] == "38"]["region_code"]
    assert sorted(walk[code] for code in old) == sorted(new)


@pytest.mark.parametrize("name, old, new", [
    ("Kab. Nabire", "9404", "9401"),  # Papua Tengah
    ("Kab. Intan Jaya", "9435", "9407"),
    ("Kab. Jayawijaya", "9402", "9501"),  # Papua Pegunungan
    ("Kab. Nduga", "9429", "9508"),
    ("Kab. Asmat", "9415", "9304"),  # Papua Selatan
    ("Kab. Boven Digoel", "9413", "9302"),
    ("Kab. Keerom", "9420", "9111"),  # Papua (2022)
    ("Kab. Supiori", "9427", "9119"),
    ("Kab. Sorong", "9107", "9601"),  # Papua Barat Daya
    ("Kab. Sorong Selatan", "9106", "9604"),
    ("Kab. Tambrauw", "9109", "9609"),
    ("Kab. Maybrat", "9110", "9610"),
    ("Kab. Teluk Bintuni", "9104", "9206"),  # Papua Barat stays
])
def test_papua_kabupaten_land_in_their_new_provinces_on_map_38(shipped, name, old, new):
    assert code_on(shipped, "34", name) == old
    assert code_on(shipped, "38", name) == new


def test_papua_2020_lands_only_in_the_provinces_it_split_into(shipped):
    new = shipped[shipped["map_version"] == "38"]
    assert new["region_code"].str[:2].value_counts().to_dict() == {
        "53": 13, "91": 4, "92": 4, "93": 3, "94": 7, "95": 8, "96": 4, "81": 6, "12": 4, "72": 3,
        "82": 2, "13": 1, "16": 1, "18": 1, "52": 1}


def test_kupang_and_sorong_are_the_kabupaten_and_tanimbar_is_maluku_tenggara_barat(shipped):
    for map_version in ("34", "38"):
        codes = set(shipped.loc[shipped["map_version"] == map_version, "region_code"])
        assert "5301" in codes and "5371" not in codes  # Kab. Kupang, not Kota Kupang
        assert not codes & {"9171", "9671"}  # not Kota Sorong (map 34) nor Kota Sorong (map 38)
        assert "8103" in codes  # Kepulauan Tanimbar, formerly Maluku Tenggara Barat


def write(tmp_path, *rows: str):
    path = tmp_path / "region_groups.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def test_a_name_that_does_not_resolve_stops_the_load_naming_the_row_and_candidates(tmp_path):
    path = write(tmp_path, "Kepulauan,2023,2024,Maluku,Kepulauan Aru,",
                 "Kepulauan,2023,2024,Nusa Tenggara Timur,Kupangg,")
    with pytest.raises(RegionGroupsInvalid) as error:
        load_region_groups(path)
    message = str(error.value)
    assert message.startswith("region_groups.csv row 3 ('Kepulauan', 2023-2024, 'Nusa Tenggara Timur', 'Kupangg')")
    assert "yang paling mirip: Kab. Kupang (5301)" in message
    assert error.value.row == 3 and error.value.candidates[0] == "Kab. Kupang (5301)"
    assert "\n" not in message


def test_a_papua_name_that_does_not_resolve_names_the_provinces_searched(tmp_path):
    with pytest.raises(RegionGroupsInvalid, match=r"row 2 .* on map 38 \(provinces 91, 93, 94, 95\): .*"
                                                  r"yang paling mirip: Kab\. Nabire \(9401\)"):
        load_region_groups(write(tmp_path, "Pegunungan,2023,2023,Papua,Nabiree,"))


def test_an_unknown_province_stops_the_load(tmp_path):
    with pytest.raises(RegionGroupsInvalid, match=r"row 2 .* yang paling mirip: Nusa Tenggara Timur \(53\)"):
        load_region_groups(write(tmp_path, "Kepulauan,2020,2020,Nusa Tengara Timur,Alor,"))


def test_a_region_listed_twice_for_the_same_years_stops_the_load(tmp_path):
    with pytest.raises(RegionGroupsInvalid, match=r"row 3 .* lists Kab\. Alor \(5305\) in 2021 again; row 2"):
        load_region_groups(write(tmp_path, "Kepulauan,2020,2021,NTT,Alor,", "Kepulauan,2021,2022,NTT,Kab. Alor,"))


def test_a_user_row_may_name_a_kota_or_a_province_created_in_2022(tmp_path):
    frame = load_region_groups(write(tmp_path, "Perkotaan,2022,2023,Nusa Tenggara Timur,Kota Kupang,",
                                     "Selatan,2021,2026,Papua Selatan,Merauke,"))
    assert list(frame.itertuples(index=False)) == [
        ("Perkotaan", 2022, 2022, "34", "5371", "Kota Kupang"),
        ("Perkotaan", 2023, 2023, "38", "5371", "Kota Kupang"),
        ("Selatan", 2021, 2022, "34", "9401", "Kab. Merauke"),
        ("Selatan", 2023, 2025, "38", "9301", "Kab. Merauke"),  # years after the calendar are left out
    ]
