"""The marts are a contract: the quick start's warehouse has, mart by mart and column by column, the rows of
the copy saved in tests/golden/marts. Marts and columns added since are not compared; a saved one missing
fails."""

import shutil

import duckdb

from tests.helpers.golden_marts import GOLDEN_DIR, REGENERATE, differences


def test_every_mart_has_the_rows_of_the_saved_copy(quickstart_warehouse):
    assert sorted(GOLDEN_DIR.glob("*.parquet")), "no saved copy of the marts"
    found = differences(quickstart_warehouse[1])
    assert not found, ("\n".join(found) + "\nA deliberate change to the marts is listed in its closing note and the "
                       f"copy regenerated from the project folder: {REGENERATE}")


def test_a_changed_value_a_missing_column_and_a_missing_mart_are_named(quickstart_warehouse, tmp_path):
    db = tmp_path / "changed.duckdb"
    shutil.copyfile(quickstart_warehouse[1], db)
    con = duckdb.connect(str(db))
    try:
        con.execute("update marts.ranking set achieved = achieved + 1 where region_code = '63'")
        con.execute("alter table marts.service_mix drop column achieved")
        con.execute("alter table marts.reconciliation add column added_later integer")
        con.execute("drop table marts.group_achievement")
    finally:
        con.close()
    found = differences(db)
    assert [f.split(":")[0] for f in found] == ["marts.group_achievement", "marts.ranking.achieved",
                                                "marts.service_mix"]
    assert "missing" in found[0] and "column(s) achieved missing" in found[2]
    assert "'region_code': '63'" in found[1]
