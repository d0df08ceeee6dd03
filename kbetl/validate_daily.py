"""Checks staged daily records against their contract (schemas/daily.py) where they are: in DuckDB,
through Pandera's ibis backend, every record, in one pass per campaign year.

Pandera names a failing row by its position in the table; the staging table keeps rows in the order
of its `position` column (0, 1, …), and each failure is checked against the row it names.
"""

import warnings
from datetime import date
from functools import cache

import duckdb
import ibis
import pandas as pd
import pandera.ibis as pa
from ibis.backends.sql.datatypes import DuckDBType

from kbetl.reference.tables import method_codes, service_types
from schemas.daily import CHECK_DESCRIPTIONS, ROW_CHECK_COLUMNS, TYPES, daily_record_schema, register_key

PROBLEM_COLUMNS = ["position", "column_name", "check_name", "value", "message"]
TEXT_COLUMNS = ("facility_code", "regency_code", "method", "service_type")


class ContractError(RuntimeError):
    """Records that cannot be checked row by row: a column missing or of the wrong type."""


@cache
def contract_types() -> dict[str, str]:
    """The contract's columns as DuckDB spells their types (as DESCRIBE shows them)."""
    select = ", ".join(f"null::{DuckDBType.to_string(kind)} as {name}" for name, kind in TYPES.items())
    con = duckdb.connect()
    try:
        return dict(con.execute(f"select column_name, column_type from (describe select {select})").fetchall())
    finally:
        con.close()


def failed_records(con: duckdb.DuckDBPyConnection, table: str, year: int, first_day: date,
                   last_day: date) -> pd.DataFrame:
    """One row per failed check of a staged record: position, column_name, check_name, value, message."""
    time_zone = con.execute("select current_setting('TimeZone')").fetchone()[0]
    backend = ibis.duckdb.from_connection(con)  # sets the session's TimeZone to UTC
    try:
        records = backend.table(table)
        register = backend.table("facilities", database="staging")
        registered = register.filter(register.campaign_year == year)
        schema = daily_record_schema(first_day, last_day, method_codes(),
                                     service_types()["service_type_code"].tolist(),
                                     register_key(registered.province_code, registered.facility_code))
        try:
            with warnings.catch_warnings():  # ibis 12 on pandas 3 warns of options it reads
                warnings.filterwarnings("ignore", module=r"ibis\.")
                schema.validate(records, lazy=True)
        except pa.errors.SchemaErrors as exc:
            return _problems(con, table, exc.failure_cases)
    finally:
        con.execute(f"set TimeZone = '{time_zone}'")
    return no_problems()


def no_problems() -> pd.DataFrame:
    return pd.DataFrame({"position": pd.Series(dtype="int64"),
                         **{c: pd.Series(dtype="string") for c in PROBLEM_COLUMNS[1:]}})


def _problems(con: duckdb.DuckDBPyConnection, table: str, cases: pd.DataFrame) -> pd.DataFrame:
    """Pandera's failure cases → problems. A column check's case holds {column: value}; a check on the
    whole record holds the record, with its position."""
    whole = cases[cases["index"].isna()]
    if not whole.empty:
        raise ContractError("daily records: " + "; ".join(
            f"{c.check} (found {c.failure_case})" for c in whole.itertuples()))
    positions = sorted({int(i) for i in cases["index"]})
    as_text = ", ".join(f"{name}::varchar as {name}" for name in TYPES)
    rows = con.execute(f"select position, province_code, {as_text} from {table} "
                       "where position in (select unnest(?)) order by position", [positions]).df().set_index("position")
    problems = []
    for case in cases.itertuples(index=False):
        position, failed = int(case.index), case.failure_case
        row = rows.loc[position]
        if case.schema_context == "Column":
            column = next(iter(failed))
            held = str(failed[column]) if column in TEXT_COLUMNS else row[column]
        else:
            column, held = ROW_CHECK_COLUMNS.get(case.check, ""), row.name if failed["position"] == position else None
        if held != (row[column] if case.schema_context == "Column" else position):
            raise RuntimeError(f"row order lost while checking {table}: the check {case.check} failed on "
                               f"{failed}, position {position} holds another record")
        value = row[column]
        reason = CHECK_DESCRIPTIONS.get(case.check, case.check)
        if case.check == "registered_facility":
            reason += f": {value} is not registered in province {row['province_code']}"
        problems.append((position, column, case.check, None if pd.isna(value) else str(value),
                         f"{column}: expected {reason}"))
    return pd.DataFrame(problems, columns=PROBLEM_COLUMNS).astype(no_problems().dtypes)
