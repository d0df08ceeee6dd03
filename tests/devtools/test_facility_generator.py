"""The national facility data set: its size, its consistency with the campaign figures, its spread."""

import pytest

from devtools.generate.facilities import generate_facility_data
from devtools.generate.figures import campaign_figures


@pytest.fixture(scope="module")
def psa_2022():
    return generate_facility_data([2022])


def test_every_kabupaten_kota_has_tens_to_hundreds_of_facilities_about_25000_in_all(psa_2022):
    per_regency = psa_2022.facilities.groupby("regency_code").size()
    assert len(per_regency) == 514
    assert per_regency.min() >= 10 and per_regency.max() <= 300
    assert 20_000 <= len(psa_2022.facilities) <= 30_000
    assert psa_2022.facilities["facility_code"].str.fullmatch(r"\d{7}").all()
    assert (psa_2022.facilities["facility_code"].str[:4] == psa_2022.facilities["regency_code"]).all()


def test_facility_sums_reproduce_the_recap_figures(psa_2022):
    served = psa_2022.records.groupby(["regency_code", "method"])["acceptors"].sum()
    for (year, _), regencies in campaign_figures().items():
        if year != 2022:
            continue
        for regency in regencies:
            assert [served.get((regency.code, m), 0) for m in ("pill", "condom", "injectable", "iud", "implant",
                                                                "mow", "mop")] == regency.methods, regency.code


def test_records_cover_the_campaign_window_and_every_service_type(psa_2022):
    days = sorted(psa_2022.records["report_date"].unique())
    assert [d.isoformat() for d in days] == [f"2022-06-{d}" for d in range(15, 20)]
    assert set(psa_2022.records["service_type"]) == {"new", "repeat", "switch", "postpartum"}


def test_some_regions_reach_100_percent_on_day_one_and_some_never(psa_2022):
    daily = psa_2022.records.groupby(["regency_code", "report_date"])["acceptors"].sum()
    cumulative = daily.groupby(level=0).cumsum().reset_index()
    targets = psa_2022.targets.query("level == 'regency'").set_index("region_code")["target"]
    cumulative["reached"] = cumulative["acceptors"] >= cumulative["regency_code"].map(targets)
    first_day = cumulative["report_date"].min()
    on_day_one = cumulative[(cumulative["report_date"] == first_day) & cumulative["reached"]]
    never = set(targets.index) - set(cumulative.loc[cumulative["reached"], "regency_code"])
    assert len(on_day_one) > 0 and len(never) > 0


def test_more_reporting_days_grow_the_records_in_proportion_and_keep_the_national_shape(psa_2022):
    doubled = generate_facility_data([2022], days_factor=2)
    days = sorted(doubled.records["report_date"].unique())
    assert [d.isoformat() for d in days] == [f"2022-06-{d}" for d in range(15, 25)]
    assert 1.9 <= len(doubled.records) / len(psa_2022.records) <= 2.1
    assert doubled.records["acceptors"].sum() == 2 * psa_2022.records["acceptors"].sum()
    assert doubled.facilities.equals(psa_2022.facilities), "the same register"
    for column in ("province_code", "method", "service_type"):
        before = psa_2022.records.groupby(column)["acceptors"].sum() / psa_2022.records["acceptors"].sum()
        after = doubled.records.groupby(column)["acceptors"].sum() / doubled.records["acceptors"].sum()
        assert (after - before).abs().max() < 0.005, column
    first, later = doubled.records.groupby(doubled.records["report_date"] >= days[5])["acceptors"].sum().tolist()
    assert 0.9 <= later / first <= 1.1, "the days after the window repeat its pattern"
