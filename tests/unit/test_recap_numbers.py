"""Number cells as Indonesian recaps write them."""

import pytest

from kbetl.sources.recaps.numbers import parse_number


@pytest.mark.parametrize("cell, expected", [
    ("17.974", 17974.0),
    ("1.234.567", 1234567.0),
    ("144,40", 144.40),
    ("144,40%", 144.40),
    ("144,40 %", 144.40),
    ("1.234,5", 1234.5),
    ("958", 958.0),
    ("-", 0.0),
    ("–", 0.0),
    ("144.4", 144.4),
    (None, None),
    (2282.0, 2282.0),
])
def test_indonesian_number_cells(cell, expected):
    assert parse_number(cell) == pytest.approx(expected) if expected is not None else parse_number(cell) is None


@pytest.mark.parametrize("cell", ["5.000 lebih", "belum lapor", "1,3 juta", "12.34.5"])
def test_text_that_is_not_a_number_is_returned_unchanged(cell):
    assert parse_number(cell) == cell
