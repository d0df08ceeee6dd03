"""Every ref table and each of its columns is described (kbetl/reference/data/ref_tables.yml), and the
campaign calendar's days are dates."""

from datetime import date, datetime

from kbetl.reference import tables
from kbetl.reference.tables import campaigns
from kbetl.warehouse.database import connect
from kbetl.warehouse.reference import load_reference, reference_docs, reference_frames


def test_the_descriptions_name_exactly_the_columns_of_every_ref_table():
    frames = reference_frames()
    docs = reference_docs()
    assert set(docs) == set(frames)
    for table, frame in frames.items():
        assert docs[table]["description"].strip(), table
        assert list(docs[table]["columns"]) == list(frame.columns), table
        assert all(text.strip() for text in docs[table]["columns"].values()), table


def test_ref_tables_carry_their_comments_and_the_calendar_its_dates(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    load_reference(con)
    tables = dict(con.execute("select table_name, comment from duckdb_tables() where schema_name = 'ref'").fetchall())
    assert set(tables) == set(reference_docs()) and all(tables.values())
    columns = con.execute("select table_name, column_name, comment from duckdb_columns() "
                          "where schema_name = 'ref'").fetchall()
    assert len(columns) == sum(len(d["columns"]) for d in reference_docs().values())
    assert [c for c in columns if not c[2]] == []
    types = dict(con.execute("select column_name, data_type from duckdb_columns() "
                             "where schema_name = 'ref' and table_name = 'campaigns'").fetchall())
    assert (types["first_service_day"], types["last_service_day"], types["reporting_deadline_wib"]) == (
        "DATE", "DATE", "TIMESTAMP")
    written = campaigns().set_index("campaign_year").loc[2022]  # the CSV's text
    assert con.execute("select first_service_day, last_service_day, reporting_deadline_wib from ref.campaigns "
                       "where campaign_year = 2022").fetchone() == (
        date.fromisoformat(written["first_service_day"]), date.fromisoformat(written["last_service_day"]),
        datetime.fromisoformat(written["reporting_deadline_wib"]))
    assert con.execute("select count(*) from ref.campaigns where reporting_deadline_wib is null").fetchone()[0] == (
        campaigns()["reporting_deadline_wib"] == "").sum()


def test_the_ref_schema_is_written_again_only_when_what_kbetl_ships_differs(tmp_path, monkeypatch):
    con = connect(tmp_path / "w.duckdb")
    load_reference(con)
    table_ids = "select table_name, table_oid from duckdb_tables() where schema_name = 'ref' order by 1"
    written = con.execute(table_ids).fetchall()
    load_reference(con)
    assert con.execute(table_ids).fetchall() == written, "the same reference data: no table written again"
    longer = campaigns().copy()
    longer.loc[longer["campaign_year"] == 2024, "last_service_day"] = "2024-06-05"
    monkeypatch.setattr(tables, "campaigns", lambda: longer)
    load_reference(con)
    assert con.execute("select last_service_day from ref.campaigns where campaign_year = 2024").fetchone() == (
        date(2024, 6, 5),)
    assert con.execute(table_ids).fetchall() != written
