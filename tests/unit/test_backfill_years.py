"""The years a backfill is asked for, read as ranges and lists."""

from kbetl.runs import parse_years


def test_years_are_read_as_ranges_and_lists():
    assert parse_years("2020-2024") == [2020, 2021, 2022, 2023, 2024]
    assert parse_years("2022,2020") == [2020, 2022]
