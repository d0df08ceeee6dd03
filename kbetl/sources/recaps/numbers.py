"""Reading Indonesian number cells: '.' groups thousands, ',' is the decimal mark, '-' is zero."""

import re

_GROUPED = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")
_COMMA_DECIMAL = re.compile(r"-?\d+(,\d+)?")
_POINT_DECIMAL = re.compile(r"-?\d+\.\d+")
_DASHES = {"-", "–", "—"}


def parse_number(cell: str | float | None) -> float | str | None:
    """A float, None for an empty cell, or the cell's text unchanged when it is not a number."""
    if cell is None or isinstance(cell, float):
        return cell
    text = cell.replace(" ", "").replace("\xa0", "").removesuffix("%")
    if text in _DASHES:
        return 0.0
    if _GROUPED.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if _COMMA_DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    if _POINT_DECIMAL.fullmatch(text):
        return float(text)
    return cell
