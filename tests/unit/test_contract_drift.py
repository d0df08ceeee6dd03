"""sql/warehouse.sql and the contracts cannot drift apart: the tables the loaders write have exactly the
columns (and, for daily records, the types) the contracts and schemas/ say."""

import pytest

from kbetl.sources.report_api.check import contract_types
from kbetl.warehouse.database import connect
from kbetl.warehouse.load_recaps import ROW_COLUMNS
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.transform import discover_models, run_transforms
from schemas.audit import FINDINGS, QUARANTINE
from schemas.methods import METHOD_CODES
from schemas.recap import FIELDS


@pytest.fixture(scope="module")
def columns(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Every table of an empty warehouse with its models built, column → type."""
    con = connect(tmp_path_factory.mktemp("drift") / "w.duckdb")
    try:
        load_reference(con)
        run_transforms(con)
        rows = con.execute("select schema_name || '.' || table_name, column_name, data_type from duckdb_columns() "
                           "where database_name = current_database() order by column_index").fetchall()
    finally:
        con.close()
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, {})[column] = kind
    return tables


def test_audit_tables_have_the_columns_of_schemas_audit(columns):
    assert list(columns["audit.quarantine"]) == list(QUARANTINE)
    assert list(columns["audit.findings"]) == list(FINDINGS)


def test_recap_rows_hold_the_contract_fields_typed_as_the_contract_says(columns):
    table = columns["staging.recap_rows"]
    assert list(table) == ["file_sha256", *ROW_COLUMNS]
    kinds = {"count": "BIGINT", "percent": "DOUBLE", "text": "VARCHAR", "row": "INTEGER"}
    assert {f.name: table[f.name] for f in FIELDS} == {f.name: kinds[f.kind] for f in FIELDS}
    assert [f.name for f in FIELDS if f.name in METHOD_CODES] == list(METHOD_CODES)


def test_daily_records_hold_the_daily_contract_with_its_types(columns):
    table = columns["staging.daily_records"]
    assert {name: table[name] for name in contract_types()} == contract_types()


def test_every_table_with_method_columns_has_the_whole_method_list_in_its_order(columns):
    for table, kinds in columns.items():
        named = [c for c in kinds if c in METHOD_CODES]
        assert named in ([], list(METHOD_CODES)), f"{table} has {named}"
    assert list(METHOD_CODES) == [c for c in columns["marts.achievement"] if c in METHOD_CODES]


def test_models_end_in_their_final_cte_and_leave_the_order_to_whoever_reads_them():
    """An incremental rebuild inserts a model's rows into its table, where an ORDER BY means nothing."""
    assert [m.table for m in discover_models().values() if not m.sql.rstrip().endswith("select * from final")] == []
