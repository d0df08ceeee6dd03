"""Rejected rows counted right: a failure reported once, on its own column; rows in = accepted + rejected
in the validation report, the run summary, audit.recap_submissions and marts.recap_files. And the held
case of a misspelt region name: refused with candidates."""

from click.testing import CliRunner

from kbetl.cli import cli
from kbetl.reports.validation import validation_report
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252
from tests.helpers.warehouse import ingest, query

GOOD = ("Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.282;152,13",
        "Kota Bengkulu;2.000;-;-;2.000;488;0;0;0;2.488;124,40")
TOTAL = ";3.500;200;100;3.000;788;600;50;32;4.770;136,29"
BAD = (";1.000;35;10;20;5;1;0;0;71;7,10",                       # no region name
       "Kaur;abc;1;2;3;4;5;6;7;28;",                               # text where a number goes
       "Seluma;1.000;-5;2,5;3;4;5;6;7;28;",                        # negative and fractional counts
       "Kapahiang;1.000;1;2;3;4;5;6;7;28;",                        # misspelt (Kepahiang)
       "Lebong;1.000;;;;;;;;;")                                    # no total and no method


def staged(tmp_path, *rows, total=TOTAL):
    path = write_semicolon_cp1252(tmp_path / "bengkulu_2022.csv", bengkulu_rows(*rows, total=total))
    return stage_recap(path)


def test_row_without_a_name_is_one_failure_on_region_name(tmp_path):
    recap = staged(tmp_path, *GOOD, BAD[0]).recap
    assert recap.quarantine[["source_row", "column_name", "check_name"]].values.tolist() == [
        [7, "region_name", "region_named"]]


def test_each_failure_once_on_its_own_column(tmp_path):
    recap = staged(tmp_path, *GOOD, *BAD).recap
    got = recap.quarantine[["source_row", "column_name", "check_name"]].values.tolist()
    assert sorted(map(tuple, got)) == sorted([
        (7, "region_name", "region_named"),
        (8, "target", "number"),
        (9, "pill", "non_negative"), (9, "condom", "whole_number"),
        (10, "region_name", "known_region"),
        (11, "total", "has_achieved"),
    ])
    assert len({tuple(r) for r in got}) == len(got)


def test_rows_in_equal_accepted_plus_rejected(tmp_path, db):
    item = staged(tmp_path, *GOOD, *BAD)
    recap = item.recap
    rows_in = len(recap.extract.rows)
    accepted = len(recap.accepted) + len(recap.parent_figures)
    rejected = recap.quarantine["source_row"].nunique()
    assert (rows_in, accepted, rejected) == (8, 3, 5)
    report = validation_report(item)
    assert "8 baris dibaca: 3 diterima (2 baris wilayah dan baris jumlah), 5 ditolak" in report, report

    summary = ingest(db, item.path)
    assert [(f.rows_accepted, f.rows_quarantined) for f in summary.results] == [(3, 5)]
    assert query(db, "select rows_accepted, rows_quarantined from audit.recap_submissions") == [(3, 5)]
    assert query(db, "select rows_accepted, rows_quarantined from marts.recap_files") == [(3, 5)]
    assert query(db, "select count(distinct source_row) from audit.quarantine") == [(5,)]


def test_second_total_row_is_counted(tmp_path):
    recap = staged(tmp_path, *GOOD, "JUMLAH;3.500;200;100;3.000;788;600;50;32;4.770;136,29").recap
    rows_in = len(recap.extract.rows)
    assert rows_in == len(recap.accepted) + len(recap.parent_figures) + recap.quarantine["source_row"].nunique()


def test_misspelt_region_is_refused_with_candidates(tmp_path):
    path = write_semicolon_cp1252(tmp_path / "bengkulu_2022.csv", bengkulu_rows(*GOOD, BAD[3], total=None))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "baris 7, kolom Kabupaten/Kota: nama wilayah 'Kapahiang'" in result.output, result.output
    assert "yang paling mirip: Kab. Kepahiang (1708)" in result.output, result.output
