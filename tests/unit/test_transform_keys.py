"""A model is rebuilt for the years a load touched only while its SQL and the reference data are the
ones it was last built from; a change to either rebuilds every year."""

from kbetl.warehouse.database import connect
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.transform import run_transforms


def builds(con) -> list:
    return con.execute("select model, sql_sha256, built_at from audit.model_builds order by model").fetchall()


def test_same_sql_and_reference_rebuild_by_year_and_a_reference_change_rebuilds_everything(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    try:
        load_reference(con)
        run_transforms(con)
        first = builds(con)
        run_transforms(con, years=[2024])
        assert builds(con) == first, "same SQL, same reference: only 2024's rows, no full build recorded"
        load_reference(con)  # written anew at every run, unchanged
        run_transforms(con, years=[2024])
        assert builds(con) == first
        con.execute("insert into ref.target_groups values (2024, '63', 'Kalsel 2024: target > 4.000', 4001, null)")
        run_transforms(con, years=[2024])
        after = builds(con)
        assert [m for m, _, _ in after] == [m for m, _, _ in first]
        assert all(a[1] != b[1] and a[2] > b[2] for a, b in zip(after, first)), "a full build with new keys"
    finally:
        con.close()
