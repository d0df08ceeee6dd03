"""Checking staged daily records against their contract (schemas/daily.py) where they are: in DuckDB,
through Pandera's ibis backend, every record, in one pass per campaign year.

Every staged row has a `position`; each failure Pandera reports is traced to the rows it is about
(see _problems). ibis and Pandera are imported by the functions that check: a recap ingest, which imports
this module with the warehouse's loaders, runs none of them.
"""

import warnings
from datetime import date
from functools import cache

import duckdb
import pandas as pd

from kbetl.reference.tables import service_types
from schemas import daily
from schemas.audit import PROBLEM
from schemas.daily import CHECK_DESCRIPTIONS, ROW_CHECK_COLUMNS, daily_record_schema, register_key
from schemas.methods import METHOD_CODES

PROBLEM_COLUMNS = ["position", *PROBLEM[1:]]  # a staged record's position stands for its source row


class ContractError(RuntimeError):
    """Records that cannot be checked row by row: a column missing or of the wrong type."""


@cache
def contract_types() -> dict[str, str]:
    """The contract's columns as DuckDB spells their types (as DESCRIBE shows them)."""
    from ibis.backends.sql.datatypes import DuckDBType

    select = ", ".join(f"null::{DuckDBType.to_string(kind)} as {name}" for name, kind in daily.TYPES.items())
    con = duckdb.connect()
    try:
        return dict(con.execute(f"select column_name, column_type from (describe select {select})").fetchall())
    finally:
        con.close()


def failed_records(con: duckdb.DuckDBPyConnection, table: str, year: int, first_day: date,
                   last_day: date) -> pd.DataFrame:
    """One row per failed check of a staged record: position, column_name, check_name, value, message."""
    import ibis
    import pandera.ibis as pa

    time_zone = con.execute("select current_setting('TimeZone')").fetchone()[0]
    backend = ibis.duckdb.from_connection(con)  # sets the session's TimeZone to UTC
    try:
        records = backend.table(table)
        register = backend.table("facilities", database="staging")
        registered = register.filter(register.campaign_year == year)
        schema = daily_record_schema(first_day, last_day, list(METHOD_CODES),
                                     service_types()["service_type_code"].tolist(),
                                     register_key(registered.province_code, registered.facility_code))
        try:
            with warnings.catch_warnings():  # ibis 12 on pandas 3 warns of options it reads
                warnings.filterwarnings("ignore", module=r"ibis\.")
                schema.validate(records, lazy=True)
        except pa.errors.SchemaErrors as exc:
            return _problems(con, table, exc.failure_cases)
    finally:
        con.execute("set TimeZone = ?", [time_zone])
    return no_problems()


def no_problems() -> pd.DataFrame:
    return pd.DataFrame({"position": pd.Series(dtype="int64"),
                         **{c: pd.Series(dtype="string") for c in PROBLEM_COLUMNS[1:]}})


def _columns_of(check: str, record: dict) -> list[str]:
    """The columns a failed check on a whole record is about."""
    if check == "not_nullable":
        return [name for name in daily.TYPES if record[name] is None or pd.isna(record[name])]
    return [ROW_CHECK_COLUMNS.get(check, "")]


def _problems(con: duckdb.DuckDBPyConnection, table: str, cases: pd.DataFrame) -> pd.DataFrame:
    """Pandera's failure cases → problems, each on the row it is about. The row numbers Pandera gives
    follow the order in which DuckDB returned check results, which is not the table's order once a scan
    runs in parallel; so rows are found by what the cases hold: a check on the whole record gives the
    record, position included; a column check gives the value that failed, and every row holding that
    value fails it (the column checks look at the value alone)."""
    whole = cases[cases["index"].isna()]
    if not whole.empty:
        raise ContractError("daily records: " + "; ".join(
            f"{c.check} (found {c.failure_case})" for c in whole.itertuples()))
    located = [(int(c.failure_case["position"]), column, c.check)
               for c in cases.itertuples(index=False) if c.schema_context != "Column"
               for column in _columns_of(c.check, c.failure_case)]
    failing: dict[str, set] = {}
    for case in cases.itertuples(index=False):
        if case.schema_context == "Column":
            for column, value in case.failure_case.items():
                failing.setdefault(column, set()).add((case.check, None if pd.isna(value) else value))
    for column, values in failing.items():
        con.register("failing", pd.DataFrame(sorted(values, key=str), columns=["check_name", "value"]))
        located += con.execute(f"""select i.position, ?, f.check_name from {table} i
                                   join failing f on i.{column} is not distinct from f.value""", [column]).fetchall()
        con.unregister("failing")
    as_text = ", ".join(f"{name}::varchar as {name}" for name in daily.TYPES)
    rows = con.execute(f"select position, province_code, {as_text} from {table} "
                       "where position in (select unnest(?)) order by position",
                       [sorted({p for p, _, _ in located})]).df().set_index("position")
    problems = []
    for position, column, check in sorted(set(located)):
        row = rows.loc[position]
        value = row[column]
        reason = CHECK_DESCRIPTIONS.get(check, check)
        if check == "registered_facility":
            reason += f": {value} is not registered in province {row['province_code']}"
        problems.append((position, column, check, None if pd.isna(value) else str(value),
                         f"{column}: expected {reason}"))
    return pd.DataFrame(problems, columns=PROBLEM_COLUMNS).astype(no_problems().dtypes)
