"""Adding a data-quality check is one SQL file in sql/audits and one row in sql/audits/checks.csv: with
nothing else edited, the check runs, and shows in the marts, in `kbetl quality` and in the campaign report."""

import shutil
from functools import partial

from click.testing import CliRunner

import kbetl.quality.checks as checks
import kbetl.warehouse.reference as reference
from kbetl.cli import cli
from kbetl.reports.campaign_report import write_campaign_report
from kbetl.warehouse.database import SQL_DIR, connect
from kbetl.warehouse.publish import publish, published_path
from kbetl.warehouse.transform import run_transforms
from tests.helpers.warehouse import query

# the example of the closing note: the SQL file and the CSV row, as they are added
NEW_AUDIT = """-- grain: one row per campaign_year × region_code (province) whose acceptors exceed its target
with final as (
    select
        campaign_year,
        region_code,
        achieved as value,
        target as reference_value,
        'Capaian ' || id_number(achieved) || ' akseptor melampaui sasaran ' || id_number(target) || '.' as message
    from staging.achievement
    where level = 'province' and achieved > target
)

select * from final
"""
NEW_ROW = 'province_above_target,outliers,recap,Melampaui sasaran,false,A province past its target.\n'


def test_a_check_added_as_one_sql_file_and_one_csv_row_reaches_the_marts_the_scorecard_and_the_report(
        quickstart_warehouse, tmp_path, monkeypatch):
    sql = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql)
    (sql / "audits" / "province_above_target.sql").write_text(NEW_AUDIT)
    with (sql / "audits" / "checks.csv").open("a") as csv:
        csv.write(NEW_ROW)
    monkeypatch.setattr(checks, "AUDITS_DIR", sql / "audits")  # the reference tables read checks.csv there,
    monkeypatch.setattr(reference, "quality_checks", partial(checks.quality_checks))  # by a reader not cached
    db = tmp_path / "kbetl-work.duckdb"
    shutil.copyfile(quickstart_warehouse[0], db)
    con = connect(db)
    try:
        reference.load_reference(con)
        run_transforms(con, sql_dir=sql)
        publish(con, published_path(db), "test")
    finally:
        con.close()

    analyst = published_path(db)
    flagged = query(analyst, "select region_code, region_name, dimension, message from marts.data_quality_issues "
                             "where check_name = 'province_above_target' and campaign_year = 2024 order by all")
    assert ("33", "Jawa Tengah", "outliers", "Capaian 105.463 akseptor melampaui sasaran 82.270.") in flagged
    assert query(analyst, "select passed from marts.data_quality where campaign_year = 2024 and region_code = '33' "
                          "and check_name = 'province_above_target'") == [(False,)]
    assert query(analyst, "select count(*) from marts.data_quality where campaign_year = 2024 "
                          "and check_name = 'province_above_target' and passed") != [(0,)], "provinces that pass too"

    scorecard = CliRunner().invoke(cli, ["quality", "--year", "2024", "--province", "33", "--db", str(db)])
    assert scorecard.exit_code == 0, scorecard.output
    assert "Capaian 105.463 akseptor melampaui sasaran 82.270." in scorecard.output

    report = write_campaign_report(analyst, 2024, out=tmp_path / "laporan.html").read_text()
    assert "Melampaui sasaran" in report and "Capaian 105.463 akseptor melampaui sasaran 82.270." in report
