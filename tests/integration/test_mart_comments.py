"""Every mart and every ref table of the published file is commented for analysts, and after the quick start
(`make run`) no mart is empty."""

from kbetl.warehouse.reference import reference_docs
from kbetl.warehouse.transform import discover_models
from tests.helpers.warehouse import query


def test_every_mart_and_ref_table_and_column_has_a_comment(quickstart_warehouse):
    _, published = quickstart_warehouse
    expected = {("marts", m.name) for m in discover_models().values() if m.schema == "marts"}
    expected |= {("ref", table) for table in reference_docs()}
    tables = {(schema, table): comment for schema, table, comment in query(
        published, "select schema_name, table_name, comment from duckdb_tables() "
               "where schema_name in ('marts', 'ref')")}
    assert set(tables) == expected
    assert [t for t, comment in tables.items() if not comment] == []
    columns = query(published, "select schema_name, table_name, column_name, comment from duckdb_columns() "
                               "where schema_name in ('marts', 'ref')")
    assert {c[:2] for c in columns} == expected
    assert [c for c in columns if not c[3]] == []



def test_no_mart_is_empty_after_the_quick_start(quickstart_warehouse):
    _, published = quickstart_warehouse
    marts = sorted(m.name for m in discover_models().values() if m.schema == "marts")
    counts = {name: query(published, f"select count(*) from marts.{name}")[0][0] for name in marts}
    assert [name for name, rows in counts.items() if rows == 0] == []
