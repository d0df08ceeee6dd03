"""The data-quality marts: every audit registered with its thresholds, the flag rule of the scorecard, the
audits run after the models and rebuilt by year with the years after, and the scorecard text."""

import re

import duckdb
import pytest

from kbetl.quality.checks import AUDITS_DIR, quality_checks, quality_thresholds
from kbetl.quality.scorecard import NoQualityData, scorecard_text
from kbetl.warehouse.database import SQL_DIR, WarehouseError, connect
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.transform import build_order, discover_models, run_transforms
from tests.helpers.warehouse import ingest, marts_snapshot, query
from tests.warehouse.test_quality_audits import bengkulu, kaur_targets


def test_every_audit_is_registered_with_a_dimension():
    audits = {p.stem for p in AUDITS_DIR.glob("*.sql")}
    checks = quality_checks()
    assert set(checks["check_name"]) == audits
    assert set(checks["dimension"]) == {"completeness", "outliers", "consistency_over_time", "internal_consistency",
                                        "between_sources"}
    assert set(checks["source"]) <= {"recap", "facility", "both"}


def test_a_check_listed_without_its_audit_or_an_audit_not_listed_fails_the_run_in_one_sentence(db):
    con = connect(db)
    try:
        load_reference(con)
        con.execute("insert into ref.quality_checks (check_name, dimension, source, title_id, blocks_award) "
                    "values ('copied_rows_typo', 'internal_consistency', 'recap', 'x', false)")
        with pytest.raises(WarehouseError, match=r"^daftar pemeriksaan kualitas data tidak cocok dengan berkasnya: "
                                                 r"copied_rows_typo di checks.csv tidak punya berkas "
                                                 r"sql/audits/copied_rows_typo.sql$"):
            run_transforms(con)
    finally:
        con.close()


def test_thresholds_are_numbers_of_known_checks_with_their_meaning():
    thresholds = quality_thresholds()
    assert set(thresholds["check_name"]) <= set(quality_checks()["check_name"])
    assert thresholds["value"].notna().all() and (thresholds["meaning"].str.len() > 20).all()
    assert not thresholds.duplicated(["check_name", "parameter"]).any()
    assert thresholds.set_index(["check_name", "parameter"]).loc[("reporting_rate", "threshold"), "value"] == 90


def test_audits_run_after_every_model_they_read_and_the_quality_marts_after_them():
    order = [m.table for m in build_order(discover_models())]
    audits = [i for i, t in enumerate(order) if t.startswith("audits.")]
    assert audits == list(range(audits[0], audits[0] + len(audits))), "one block"
    after = order[audits[-1] + 1:]
    assert after[:3] == ["marts.data_quality_issues", "marts.data_quality", "marts.quality_flags"]
    # the marts that carry the flags come last (the counts of people through their staging model), the ranking
    # after the achievement it ranks
    assert set(after[3:]) == {"marts.achievement", "staging.people_counted", "marts.current_users",
                              "marts.new_users", "marts.ranking"}
    assert after.index("marts.ranking") > after.index("marts.achievement")
    assert after.index("marts.new_users") > after.index("staging.people_counted")


def issue_rows(*rows: tuple) -> str:
    return " union all ".join(f"select 2022, 'outliers', 'facility_day_outlier', 'regency', '1701', 'x', '17', "
                              f"'{subject}', '{severity}', 1.0, 1.0, 'x'" for subject, severity in rows)


@pytest.mark.parametrize("rows, passed", [
    ((), True), ((("a", "moderate"),), True), ((("a", "moderate"), ("b", "moderate")), False),
    ((("a", "extreme"),), False)])
def test_one_extreme_or_two_moderate_outliers_flag_a_region(db, tmp_path, rows, passed):
    ingest(db, bengkulu(tmp_path, 2022))
    con = connect(db)
    try:
        con.execute("delete from marts.data_quality_issues")
        if rows:
            con.execute(f"insert into marts.data_quality_issues {issue_rows(*rows)}")
        scorecard = con.execute((SQL_DIR / "marts" / "data_quality.sql").read_text()).df()
    finally:
        con.close()
    [row] = scorecard[(scorecard.region_code == "1701") & (scorecard.check_name == "facility_day_outlier")
                      ].to_dict("records") or [None]
    if rows:
        assert (row["offending_rows"], row["passed"]) == (len(rows), passed)
    else:
        assert row is None, "a recap-only warehouse: facility checks cover no region"


def test_every_recap_region_gets_every_recap_check_passed_or_not(db, tmp_path):
    ingest(db, bengkulu(tmp_path, 2022, odd=(3, 1000, 4000)))
    rows = query(db, "select region_code, check_name, passed, offending_rows, measure, threshold "
                     "from marts.data_quality where region_code in ('1704', '1701') "
                     "and dimension = 'outliers' order by all")
    assert rows == [("1701", "regency_achievement_outlier", True, 0, None, 3.5),
                    ("1704", "regency_achievement_outlier", False, 1, 400.0, 3.5)]


def test_a_year_rebuilt_alone_rebuilds_the_audits_of_the_years_after_it(db, tmp_path):
    """Correcting 2020 changes 2021's consistency over time: a load of 2020 rebuilds 2021's audits too,
    and the result is what a full rebuild gives."""
    (tmp_path / "first").mkdir()
    (tmp_path / "corrected").mkdir()
    ingest(db, *kaur_targets(tmp_path / "first", {2020: 100, 2021: 300}))
    assert [r[0] for r in query(db, "select campaign_year from marts.data_quality_issues "
                                    "where check_name = 'target_vs_history'")] == [2021]
    ingest(db, *kaur_targets(tmp_path / "corrected", {2020: 300}))
    assert query(db, "select count(*) from marts.data_quality_issues where check_name = 'target_vs_history'") == [(0,)]
    incremental = marts_snapshot(db)
    con = connect(db)
    try:
        con.execute("delete from audit.model_builds")  # any change of key: the next rebuild is a full one
    finally:
        con.close()
    ingest(db, *kaur_targets(tmp_path / "corrected", {2020: 300}))
    assert marts_snapshot(db) == incremental


def test_the_scorecard_counts_issues_by_dimension_and_region_in_bahasa_indonesia(db, tmp_path):
    ingest(db, *kaur_targets(tmp_path, {2020: 100, 2021: 300}))
    con = duckdb.connect(str(db), read_only=True)
    try:
        national = scorecard_text(con, 2021)
        provincial = scorecard_text(con, 2021, "bengkulu")
        with pytest.raises(NoQualityData, match="no province 'Atlantis'"):
            scorecard_text(con, 2021, "Atlantis")
        with pytest.raises(NoQualityData, match="no data-quality results for 2019"):
            scorecard_text(con, 2019)
    finally:
        con.close()
    assert "Kualitas data PSA 2021, Indonesia" in national
    # Kaur's target and achieved both tripled; the nation is summed from one province of 34
    assert re.search(r"^17\s+Bengkulu\s+0\s+0\s+2 !\s+0\s+0", national, re.M), national
    assert re.search(r"^00\s+Indonesia\s+0\s+0\s+0\s+1 !", national, re.M), national
    assert re.search(r"^1704\s+Kab\. Kaur\s+0\s+0\s+2 !", provincial, re.M), provincial
    assert re.search(r"^1701\s+Kab\. Bengkulu Selatan(\s+0){5}\s*$", provincial, re.M), provincial
    assert "- [Antarwaktu] Kab. Kaur: Sasaran 300 adalah 3,00× rata-rata hanya 1 kampanye" in provincial
