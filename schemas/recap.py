"""Contract for a recap row as extracted from a spreadsheet, before region names are conformed.

FIELDS is the registry: the Pandera schema below and docs/contracts.md are both built from it.
Number cells arrive as floats, None (empty) or the text of a cell that was not a number.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from schemas.methods import METHOD_CODES, METHODS


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # 'count' | 'percent' | 'text' | 'row'
    description: str


FIELDS = (
    Field("source_row", "row", "Row number in the file (1-based, as a spreadsheet shows it)."),
    Field("region_name", "text", "Region as written in the report; conformed to a Kemendagri code later."),
    Field("target", "count", "Target acceptors (sasaran / PPM)."),
    *(Field(m.code, "count", f"Acceptors served: {m.name_en} ({m.name_id})." + (" MKJP." if m.is_mkjp else ""))
      for m in METHODS),
    Field("total", "count", "Total acceptors served (Jumlah / Total / Capaian)."),
    Field("pct", "percent", "Achievement percentage as the report states it."),
)

CHECK_DESCRIPTIONS = {
    "number": "the cell is a number ('17.974', '144,40', '-' for zero), not text",
    "whole_number": "a count of acceptors is a whole number",
    "non_negative": "the value is not negative",
    "region_named": "a region row names its region",
    "has_achieved": "the row gives a total or at least one method",
    # checked while reading, on the columns an open-data export adds
    "year": "the year column holds a year such as 2022",
    "known_method": "in a long export, the method column names a method of schemas/methods.csv (or Jumlah)",
    "unique_method": "in a long export, a region gives each method once",
    "consistent_target": "in a long export, a region's rows give one target",
}
# What a data officer reads when a row fails a check (Bahasa Indonesia; CHECK_DESCRIPTIONS above document
# the checks in English): the gist, with {value} the cell as written, and what to do.
CHECK_MESSAGES = {
    "number": ("{value} bukan angka (tulis seperti 17.974, 144,40, atau - untuk nol)",
               "perbaiki sel itu lalu kirim ulang berkas"),
    "whole_number": ("{value} bukan bilangan bulat, padahal jumlah akseptor selalu bulat",
                     "perbaiki sel itu lalu kirim ulang berkas"),
    "non_negative": ("{value} bernilai negatif", "perbaiki sel itu lalu kirim ulang berkas"),
    "region_named": ("baris ini tidak menyebut nama wilayahnya", "isi nama wilayahnya lalu kirim ulang berkas"),
    "has_achieved": ("baris ini tidak memuat jumlah maupun angka satu metode pun",
                     "isi angka capaiannya lalu kirim ulang berkas"),
}
# Row-wide checks name no column in Pandera's report; this says which column a failure points at.
ROW_CHECK_COLUMNS = {"region_named": "region_name", "has_achieved": "total"}


def _numeric(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series.to_numpy(), errors="coerce")


def _is_number(series: pd.Series) -> pd.Series:
    return pd.Series(pd.isna(series.to_numpy()) | pd.notna(_numeric(series)), index=series.index)


def _is_whole(series: pd.Series) -> pd.Series:
    value = _numeric(series)
    with np.errstate(invalid="ignore"):  # inf % 1 is NaN: not whole
        return pd.Series(pd.isna(value) | (value % 1 == 0), index=series.index)


def _is_non_negative(series: pd.Series) -> pd.Series:
    value = _numeric(series)
    return pd.Series(pd.isna(value) | (value >= 0), index=series.index)


CELL_CHECKS = {"number": _is_number, "whole_number": _is_whole, "non_negative": _is_non_negative}


def _cell_checks(kind: str) -> list[str]:
    return ["number", "whole_number", "non_negative"] if kind == "count" else ["number", "non_negative"]


def _column(f: Field, cell_checks: bool) -> pa.Column:
    if f.kind == "row":
        return pa.Column(int, pa.Check.ge(1), description=f.description)
    if f.kind == "text":
        # pandas 3 stores text as str (object only when a column is empty), so `object` fails on nearly every file,
        # naming no row (ignored by the check). Without cell checks the dtype is left unchecked: Pandera builds a
        # whole error report for that failure. The full schema keeps it: Pandera orders the failures of one cell
        # (whole_number, non_negative) by an unstable sort over all its failures, this one included.
        return pa.Column(object if cell_checks else None, nullable=True, description=f.description)
    checks = [pa.Check(CELL_CHECKS[name], name=name) for name in _cell_checks(f.kind)] if cell_checks else []
    return pa.Column(object, checks, nullable=True, description=f.description)


def _region_named(frame: pd.DataFrame) -> pd.Series:
    return frame["is_total_row"] | frame["region_name"].fillna("").str.strip().ne("")


def _has_achieved(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(np.logical_or.reduce([frame[name].notna().to_numpy() for name in ("total", *METHOD_CODES)]),
                     index=frame.index)


def _schema(cell_checks: bool) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {f.name: _column(f, cell_checks) for f in FIELDS} | {"is_total_row": pa.Column(bool)},
        checks=[pa.Check(_region_named, name="region_named"), pa.Check(_has_achieved, name="has_achieved")],
        name="recap_row",
        strict=False,
    )


RecapRowSchema = _schema(cell_checks=True)
# The same contract without its cell checks, for rows whose cells all pass them (cells_pass). Pandera runs the
# ~30 cell checks one column and check at a time, at ~0.4 ms each: most of the cost of checking a file. The
# same functions over the columns directly tell in ~1 ms whether any cell fails; only then is Pandera asked
# to run them, to name each failing cell.
RecapRowSchemaWithoutCellChecks = _schema(cell_checks=False)


def cells_pass(rows: pd.DataFrame) -> bool:
    """Whether every number cell passes the cell checks RecapRowSchema gives its column."""
    return all(CELL_CHECKS[name](rows[f.name]).all()
               for f in FIELDS if f.kind in ("count", "percent") for name in _cell_checks(f.kind))
