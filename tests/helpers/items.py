"""Two items (dataclasses of tables, bytes and scalars) compared field by field, tables with their dtypes."""

from dataclasses import fields, is_dataclass
from pathlib import Path

import pandas as pd


def same(left, right) -> None:
    assert type(left) is type(right)
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left, right, check_dtype=True)
    elif is_dataclass(left):
        for f in fields(left):
            same(getattr(left, f.name), getattr(right, f.name))
    elif isinstance(left, (list, tuple)):
        assert len(left) == len(right)
        for a, b in zip(left, right):
            same(a, b)
    elif isinstance(left, dict):
        assert list(left) == list(right)
        for key in left:
            same(left[key], right[key])
    else:
        assert left == right


def read_from_files(read, path):
    """A package read as another process or machine reads it: from its files, not from the memory of the
    process that made it."""
    from kbetl import packages

    with packages._MADE_HERE_LOCK:
        packages._MADE_HERE.pop(Path(path), None)
    return read(path)
