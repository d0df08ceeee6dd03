"""Every mart of the sample warehouse is commented for analysts."""

from kbetl.warehouse.transform import discover_models
from tests.helpers.warehouse import query


def test_every_mart_table_and_column_has_a_comment(sample_warehouse):
    db, _ = sample_warehouse
    marts = {m.name for m in discover_models().values() if m.schema == "marts"}
    tables = dict(query(db, "select table_name, comment from duckdb_tables() where schema_name = 'marts'"))
    assert set(tables) == marts and all(tables.values())
    columns = query(db, "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'")
    assert columns and [c for c in columns if not c[2]] == []
