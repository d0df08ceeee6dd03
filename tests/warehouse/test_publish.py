"""Publishing the analyst database: where the published file goes and what it holds."""

from kbetl.warehouse.publish import published_path
from tests.helpers.warehouse import SAMPLE_DIR, publish_recaps, query

BENGKULU_2022 = SAMPLE_DIR / "2022" / "17_bengkulu.csv"


def test_published_path_sits_beside_the_working_file(tmp_path):
    assert published_path(tmp_path / "kbetl-work.duckdb") == tmp_path / "kbetl.duckdb"
    assert published_path(tmp_path / "w.duckdb") == tmp_path / "w-published.duckdb"
    assert published_path(tmp_path / "w.duckdb", tmp_path / "x.duckdb") == tmp_path / "x.duckdb"


def test_published_file_holds_marts_and_ref_with_comments_and_nothing_else(db):
    summary = publish_recaps(db, BENGKULU_2022)
    assert summary.published == published_path(db) and summary.published.exists()
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, summary.published.name])
    schemas = {s for (s,) in query(summary.published, "select distinct schema_name from duckdb_tables()")}
    assert schemas == {"marts", "ref"}
    assert query(summary.published, "select achievement_pct from marts.achievement where region_code = '17'") \
        == query(db, "select achievement_pct from marts.achievement where region_code = '17'")
    assert query(summary.published, "select count(*) from duckdb_columns() where schema_name = 'marts' "
                                    "and comment is null") == [(0,)]
