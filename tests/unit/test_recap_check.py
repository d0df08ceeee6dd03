"""Recap validation: figures that do not add up are findings, bad rows are quarantined, the `validate` command."""

import pandas as pd
import pandera.pandas as pa
import pytest
from click.testing import CliRunner

from kbetl.cli import cli
from kbetl.sources.recaps.check import validate_recap
from kbetl.sources.recaps.read import RecapStructureError, read_recap
from schemas.recap import RecapRowSchema, cells_pass
from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252

GOOD = ("Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.282;152,13",
        "Kota Bengkulu;2.000;-;-;2.000;488;0;0;0;2.488;124,40")
GOOD_TOTAL = ";3.500;200;100;3.000;788;600;50;32;4.770;136,29"


def validated(tmp_path, *rows, total=GOOD_TOTAL, **overrides):
    path = write_semicolon_cp1252(tmp_path / "bengkulu_2022.csv", bengkulu_rows(*rows, total=total))
    [recap] = validate_recap(read_recap(path, **overrides))
    return recap


def checks(recap) -> list[str]:
    return recap.findings["check_name"].tolist()


def test_consistent_file_has_no_errors_and_no_findings(tmp_path):
    recap = validated(tmp_path, *GOOD)
    assert not recap.has_errors and checks(recap) == ["missing_regions"]
    assert recap.accepted["region_code"].tolist() == ["1701", "1771"]
    assert recap.parent_figures[["region_code", "target", "achieved"]].values.tolist() == [["17", 3500, 4770]]


def test_total_row_that_is_not_the_sum_of_the_rows(tmp_path):
    recap = validated(tmp_path, *GOOD, total=";3.500;200;100;3.000;788;600;50;32;4.870;139,14")
    found = recap.findings.query("check_name == 'total_row_vs_rows'")
    assert found[["source_row", "expected", "actual"]].values.tolist() == [[7, 4870, 4770]]
    assert found["message"].iloc[0].startswith("baris 7 (JUMLAH PROVINSI), kolom Jumlah: tertulis 4.870, padahal baris "
                                               "wilayahnya berjumlah 4.770")


def test_method_columns_that_do_not_add_up_to_the_total(tmp_path):
    recap = validated(tmp_path, "Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.300;153,33", GOOD[1],
                      total=";3.500;200;100;3.000;788;600;50;32;4.788;136,80")
    found = recap.findings.query("check_name == 'methods_vs_total'")
    assert found[["source_row", "region_code", "expected", "actual"]].values.tolist() == [
        [5, "1701", 2300, 2282], [7, "17", 4788, 4770]], "the total row's own methods are checked too"


def test_stated_percentage_more_than_005_points_off(tmp_path):
    recap = validated(tmp_path, "Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.282;152,20",
                      "Kota Bengkulu;2.000;-;-;2.000;488;0;0;0;2.488;124,44", total=GOOD_TOTAL)
    found = recap.findings.query("check_name == 'stated_pct'")
    assert found[["source_row", "expected", "actual"]].values.tolist() == [[5, 152.13, 152.2]], \
        "0.07 points off is a finding; 0.04 (row 6) is within tolerance"


def test_implausible_achievement_is_a_finding(tmp_path):
    recap = validated(tmp_path, "Kaur;1.500;;;;;;;;15.000;", total=None)
    assert "implausible_achievement" in checks(recap)


def test_bad_rows_are_quarantined_with_row_column_check_and_value_and_good_rows_kept(tmp_path):
    recap = validated(tmp_path, GOOD[0], "Kaur;1.000;;;;;;;;5.000 lebih;", "Kepahiang;2,5;;;;;;;;900;",
                      "Antah Berantah;100;;;;;;;;50;", "Seluma;-10;;;;;;;;90;", total=None)
    quarantine = recap.quarantine[["source_row", "column_name", "check_name", "value"]].values.tolist()
    assert quarantine == [
        [6, "total", "number", "5.000 lebih"],
        [7, "target", "whole_number", "2.5"],
        [8, "region_name", "known_region", "Antah Berantah"],
        [9, "target", "non_negative", "-10.0"],
    ]
    messages = recap.quarantine.set_index("source_row")["message"]
    assert messages[6].startswith("baris 6, kolom Jumlah: '5.000 lebih' bukan angka")
    assert messages[7].startswith("baris 7, kolom Sasaran: 2,5 bukan bilangan bulat")
    assert messages[8].startswith("baris 8, kolom Kabupaten/Kota: nama wilayah 'Antah Berantah' tidak cocok dengan "
                                  "kabupaten/kota mana pun di wilayah 17; yang paling mirip:")
    assert messages[9].startswith("baris 9, kolom Sasaran: -10 bernilai negatif")
    assert all(m.endswith("lalu kirim ulang berkas") for m in messages)
    assert recap.accepted["region_code"].tolist() == ["1701"]


def test_a_region_given_twice_is_quarantined_the_second_time(tmp_path):
    recap = validated(tmp_path, GOOD[0], "BENGKULU SELATAN;1;;;;;;;;1;", total=None)
    assert recap.quarantine[["source_row", "check_name"]].values.tolist() == [[6, "unique_region"]]


def test_methods_all_empty_means_no_breakdown_but_some_given_means_the_rest_are_zero(tmp_path):
    recap = validated(tmp_path, "Kaur;1.000;;;;;;;;1.100;", "Lebong;1.000;100;;900;;;;;1.000;", total=None)
    kaur, lebong = recap.accepted.set_index("region_code").loc[["1704", "1707"]].to_dict("records")
    assert pd.isna(kaur["pill"]) and pd.isna(kaur["mop"]) and kaur["achieved"] == 1100
    assert (lebong["pill"], lebong["condom"], lebong["injectable"], lebong["achieved"]) == (100, 0, 900, 1000)


def test_achieved_is_the_sum_of_methods_when_there_is_no_total(tmp_path):
    recap = validated(tmp_path, "Kaur;1.000;100;0;800;0;50;0;0;;", total=None)
    assert recap.accepted["achieved"].tolist() == [950]


def test_year_outside_the_campaign_calendar_is_refused(tmp_path):
    with pytest.raises(RecapStructureError, match="2019 bukan tahun kampanye PSA"):
        validated(tmp_path, *GOOD, year=2019)


def test_unknown_parent_province_is_refused_with_candidates(tmp_path):
    with pytest.raises(RecapStructureError, match="provinsi induk: nama wilayah 'Bengkuluu' tidak cocok dengan "
                                                  "provinsi mana pun; yang paling mirip: Bengkulu"):
        validated(tmp_path, *GOOD, region="Bengkuluu")


def test_validate_command_reports_rows_and_exits_nonzero_on_errors(tmp_path):
    good = write_semicolon_cp1252(tmp_path / "good.csv", bengkulu_rows(*GOOD, total=GOOD_TOTAL))
    bad = write_semicolon_cp1252(tmp_path / "bad.csv", bengkulu_rows(GOOD[0], "Kaur;1.000;;;;;;;;5.000 lebih;"))
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", str(good)])
    assert ok.exit_code == 0 and "OK" in ok.output and "1 berkas diperiksa, 0 bermasalah" in ok.output
    failed = runner.invoke(cli, ["validate", str(good), str(bad)])
    assert failed.exit_code == 1
    assert f"ADA KESALAHAN {bad}" in failed.output
    assert ("baris 6, kolom Jumlah: '5.000 lebih' bukan angka (tulis seperti 17.974, 144,40, atau - untuk nol); "
            "perbaiki sel itu lalu kirim ulang berkas") in failed.output


def test_validate_command_refuses_a_file_with_a_clear_message(tmp_path):
    path = tmp_path / "kosong.csv"
    path.write_text("Laporan\nNama;Jumlah\n")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"DITOLAK {path}" in result.output
    assert "kosong.csv: tidak ada baris judul kolom dengan kolom wilayah" in result.output


@pytest.mark.parametrize("column", ["target", "pill", "mop", "total", "pct"])
@pytest.mark.parametrize(("cell", "failed"), [("abc", ["number"]), ("1e309", ["whole_number"]), (2.5, ["whole_number"]),
                                              (-3.0, ["non_negative"]), (-2.5, ["whole_number", "non_negative"]),
                                              (float("inf"), ["whole_number"]), (None, [])])
def test_cells_pass_agrees_with_the_schemas_cell_checks(tmp_path, column, cell, failed):
    """Pandera runs the cell checks only where cells_pass finds a failing cell: both must say the same."""
    path = write_semicolon_cp1252(tmp_path / "bengkulu_2022.csv", bengkulu_rows(*GOOD, total=GOOD_TOTAL))
    rows = read_recap(path).rows
    rows.loc[1, column] = cell
    expected = [check for check in failed if column != "pct" or check != "whole_number"]  # a percentage may be 2,5
    try:
        RecapRowSchema.validate(rows, lazy=True)
        reported = []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        reported = cases.loc[cases["column"] == column, "check"].tolist()
    assert reported == expected
    assert cells_pass(rows) is (not expected)
