"""Files as the field holds them (issue 25): a table whose rows are years, what a file leaves unread said in
`validate` and in the ingest summary."""

from kbetl.reports.run_summary import ingest_summary
from kbetl.runs import load_recaps
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.field_files import BANTUL_BY_YEAR, write_users_by_method, write_year_rows
from tests.helpers.warehouse import query


def load(db, path, **options):
    return load_recaps(db, [stage_recap(path, **options)], "test")


def test_a_table_whose_rows_are_years_lands_one_row_per_year_as_the_region_given(db, tmp_path):
    path = write_year_rows(tmp_path / "peserta_kb_bantul_tahunan.csv")
    summary = load(db, path, region="3402", kind="current_users")
    assert [(r.status, r.rows_accepted, r.rows_quarantined, r.findings) for r in summary.results] == [
        ("loaded", 5, 0, 0)]
    rows = query(db, "select report_year, level, region_code, current_users, iud, injectable, figures_from, "
                     "source_row, is_partial from marts.current_users where region_code = '3402' order by 1")
    assert rows == [(year, "regency", "3402", sum(methods), methods[0], methods[4], "total_row", row, False)
                    for row, (year, methods) in enumerate(BANTUL_BY_YEAR.items(), 2)]
    assert query(db, "select count(*) from marts.current_users where level = 'district'") == [(0,)]
    assert query(db, "select count(*) from marts.achievement") == [(0,)]


def test_the_ingest_summary_counts_the_columns_unused_and_the_years_skipped(db, tmp_path):
    path = write_users_by_method(tmp_path / "dotted.csv", dotted=True, trailing=True)
    summary = load(db, path, year=2022, region="3402", kind="current_users")
    assert [(r.unused_columns, r.years_skipped) for r in summary.results] == [(1, (2020, 2021, 2023, 2024))]
    assert ("  'dotted.csv': 1 kolom tidak dipakai, 4 tahun dilewati (2020, 2021, 2023, 2024) (kbetl validate "
            "menyebutkannya)") in ingest_summary(summary).splitlines()
    assert query(db, "select rows_read, rows_skipped from audit.recap_submissions") == [(176, 171)]

