"""The benchmark's scales: below 1 a share of the provinces, above 1 longer reporting windows, the same in
every phase's calendar; a scale out of reach is one sentence."""

import pytest

from devtools import bench
from kbetl.reference import tables


def test_scales_below_one_take_a_share_of_the_provinces_and_above_one_all_of_them():
    assert len(bench.bench_provinces(0.01)) == 1
    assert len(bench.bench_provinces(0.5)) == 19
    assert bench.bench_provinces(1) == bench.bench_provinces(4)
    assert len(bench.bench_provinces(4)) == 38


def test_above_one_every_phase_sees_the_same_longer_windows_and_the_calendar_is_left_as_it_was():
    before = {year: len(tables.campaign_days(year)) for year in bench.years()}
    with bench.bench_calendar(0.5):
        assert {year: len(tables.campaign_days(year)) for year in bench.years()} == before
    windows = bench.bench_windows(2)
    with bench.bench_calendar(2):
        assert {year: tables.campaign_days(year) for year in bench.years()} == windows
        assert tables.campaign_days_between(tables.campaign_days(2025)[-1], tables.campaign_days(2025)[-1]) == {
            2025: [windows[2025][-1]]}
    assert {year: len(days) for year, days in windows.items()} == {y: 2 * n for y, n in before.items()}
    assert {year: len(tables.campaign_days(year)) for year in bench.years()} == before


def test_a_scale_out_of_reach_is_one_sentence():
    bench.check_scale(4)
    with pytest.raises(ValueError, match=r"^scale 5 makes a reporting window of 75 days; one export covers at most "
                                         r"62, so the largest scale is about 4\.1$"):
        bench.check_scale(5)
    with pytest.raises(ValueError, match="a scale is a positive number, not 0"):
        bench.check_scale(0)
    assert bench.parse_scales("0.25,0.5,1,2,4") == [0.25, 0.5, 1, 2, 4]
    with pytest.raises(ValueError, match=r"--curve takes scales separated by commas, such as 0.25,0.5,1,2,4, not "
                                         r"'1;2'"):
        bench.parse_scales("1;2")


def test_years_are_campaign_years_and_hold_the_nightly_day(monkeypatch):
    bench.check_years("2023,2024")
    with pytest.raises(ValueError, match=r"^--years takes campaign years \(2020-2025\), such as 2023,2024; not 1999$"):
        bench.check_years("2024,1999")
    with pytest.raises(ValueError, match=r"^--years must hold 2024: the nightly phase runs 2024-06-04$"):
        bench.check_years("2022,2023")
    monkeypatch.setenv(bench.YEARS_ENV, "2022,2024")
    assert bench.years() == [2022, 2024]
    with bench.bench_calendar(2):  # the calendar of every year is longer, the ones run and the others
        assert {len(tables.campaign_days(y)) for y in (2021, 2022)} == {2, 10}
