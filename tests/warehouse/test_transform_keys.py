"""A model is rebuilt for the years a load touched only while its SQL and the reference data are the
ones it was last built from; a change to either rebuilds every year. Every built model keeps its grain."""

import shutil
from functools import partial

import pytest

import kbetl.warehouse.run as skeleton
from kbetl.sources.recaps.stage import stage_recap
from kbetl.warehouse.database import SQL_DIR, connect
from kbetl.warehouse.load_recaps import load_staged
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.run import warehouse_run
from kbetl.warehouse.transform import GrainViolated, discover_models, run_transforms
from tests.helpers.recap_files import KALSEL_2024


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


def test_every_mart_declares_its_key_and_a_violated_grain_fails_the_run_and_publishes_nothing(tmp_path, monkeypatch):
    marts = [m for m in discover_models().values() if m.schema == "marts"]
    assert all("grain" in m.docs for m in marts)
    assert [m.table for m in marts if not m.key] == ["marts.data_quality_issues"]

    sql = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql)
    ranking = (sql / "marts" / "ranking.sql").read_text()
    (sql / "marts" / "ranking.sql").write_text(  # every row twice
        ranking.replace("select * from final", "select * from final union all select * from final"))
    monkeypatch.setattr(skeleton, "run_transforms", partial(run_transforms, sql_dir=sql))
    db, published = tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    violated = (r"model marts.ranking melanggar grain-nya \(campaign_year, ranking, scope_code, region_code\): "
                r"kunci \(2024, '[^']+', '[^']+', '\w+'\) muncul 2 kali")
    with pytest.raises(GrainViolated, match=violated):
        with warehouse_run(db, "test", publish_to=published) as run:
            load_staged(run, [stage_recap(KALSEL_2024)])
    assert not published.exists()
