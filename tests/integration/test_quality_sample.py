"""The sample data carry a known set of data-quality problems (devtools/generate/faults.py); the audits
find exactly those, and `kbetl quality` shows them."""

import shutil

import pytest
from click.testing import CliRunner

from devtools.generate.faults import EXTREME_DAY, LATE_REGENCY, RECAP_OVERSTATED, TARGET_JUMP
from devtools.generate.recaps import QUIRKS
from kbetl.cli import cli
from kbetl.warehouse.publish import published_path
from tests.helpers.warehouse import query

PLANTED_IN_RECAPS = {
    (2024, "target_vs_history", TARGET_JUMP["regency"]),
    (2024, "regency_achievement_outlier", TARGET_JUMP["regency"]),  # its achievement falls with the jump
    (2025, "target_vs_history", TARGET_JUMP["regency"]),  # 2024's jump is in the mean 2025 is held against
}
PLANTED_IN_FACILITY_DATA = {
    (2024, "recap_vs_facility", RECAP_OVERSTATED["province"]),
    (2024, "facility_day_outlier", EXTREME_DAY["regency"]),
    (2024, "on_time_rate", LATE_REGENCY["regency"]),
}
# The flaws generate/recaps.py plants for the recap cross-checks, where their findings are counted
QUIRK_FINDINGS = {(2021, "recap_findings", "3301"), (2023, "recap_findings", "00"), (2023, "recap_findings", "35"),
                  (2023, "recap_findings", "3501")}


@pytest.fixture(scope="module")
def quick_start_copy(quick_start_shaped):
    """A copy of the quick start's warehouse (with or without the planted faults) in the test's folder: each
    kind built once for the run, copied per test (a copy of the files costs milliseconds)."""
    built = {}

    def copy_into(tmp_path, planted: bool):
        if planted not in built:
            built[planted] = quick_start_shaped(planted)
        db = tmp_path / built[planted].name
        shutil.copyfile(built[planted], db)
        shutil.copyfile(published_path(built[planted]), published_path(db))
        return db

    return copy_into


def failed(db) -> set[tuple]:
    return set(query(db, "select campaign_year, check_name, region_code from marts.data_quality where not passed"))


def test_the_recap_samples_fail_only_on_what_was_planted_in_them(sample_warehouse):
    db, _ = sample_warehouse
    assert set(QUIRKS) == {(2021, "33"), (2023, "35")}
    assert failed(db) == PLANTED_IN_RECAPS | QUIRK_FINDINGS


@pytest.mark.parametrize("planted", [True, False])
def test_the_quick_start_data_fail_exactly_on_the_planted_problems(quick_start_copy, tmp_path, planted):
    db = quick_start_copy(tmp_path, planted)
    facility_faults = {f for f in PLANTED_IN_FACILITY_DATA if f[1] != "recap_vs_facility"}
    expected = PLANTED_IN_RECAPS | QUIRK_FINDINGS | PLANTED_IN_FACILITY_DATA
    assert failed(db) == (expected if planted else expected - facility_faults)
    [(late,)] = query(db, "select value from marts.data_quality_issues where check_name = 'on_time_rate'") or [(None,)]
    assert late == (0.0 if planted else None)


def test_kbetl_quality_prints_the_scorecard_and_refuses_bad_input_in_a_sentence(quick_start_copy, tmp_path):
    db = quick_start_copy(tmp_path, planted=True)
    runner = CliRunner()
    national = runner.invoke(cli, ["quality", "--year", "2024", "--db", str(db)])
    assert national.exit_code == 0, national.output
    assert "Kualitas data PSA 2024, Indonesia" in national.output
    assert "Kota Banjarmasin: Faskes 6371" in national.output
    provincial = runner.invoke(cli, ["quality", "--year", "2024", "--province", "Bengkulu", "--db", str(db)])
    assert provincial.exit_code == 0 and "1708  Kab. Kepahiang" in provincial.output
    for args, sentence in ((["--province", "Atlantis"], "--province: nama wilayah 'Atlantis' tidak cocok dengan "
                                                         "provinsi mana pun"),
                           (["--year", "1999"], "--year 1999: bukan tahun kampanye PSA")):
        result = runner.invoke(cli, ["quality", "--year", "2024", *args, "--db", str(db)])
        assert result.exit_code == 2 and sentence in result.output and "Traceback" not in result.output
    missing = runner.invoke(cli, ["quality", "--year", "2024", "--db", str(tmp_path / "none" / "w.duckdb")])
    assert missing.exit_code == 1 and "Belum ada basis data terbit di" in missing.output


def test_flags_travel_with_the_figures_and_block_awards_on_the_quick_start_data(quick_start_copy, tmp_path):
    """Issue 19, observation 1: Sumatera Selatan's recap says more than its own kabupaten and facilities do;
    it keeps its rank, flagged, and is not eligible for an award; the eligible ranks close up behind it."""
    db = quick_start_copy(tmp_path, planted=True)
    published = published_path(db)
    national = {code: rest for code, *rest in query(
        published, "select region_code, quality_flags, award_eligible, rank, award_rank from marts.ranking "
                   "where campaign_year = 2024 and ranking = 'national'")}
    assert national["16"][:3] == [["recap_vs_facility"], False, 1]
    assert national["16"][3] is None
    assert national["51"][:2] == [[], True]
    eligible = sorted(award for _, eligible, _, award in national.values() if eligible)
    assert eligible[0] == 1 and len(eligible) == len(national) - 1
    seluma = TARGET_JUMP["regency"]
    assert query(published, "select quality_flags from marts.achievement where campaign_year = 2024 "
                            "and region_code = ?", [seluma]) == [
        (["regency_achievement_outlier", "target_vs_history"],)]
    assert {eligible for (eligible,) in query(
        published, "select award_eligible from marts.ranking where campaign_year = 2024 and region_code = ?",
        [seluma])} == {False}
    # the same truth as marts.data_quality, everywhere
    flagged = set(query(published, "select campaign_year, region_code, unnest(quality_flags) from marts.achievement"))
    failing = set(query(published, "select d.campaign_year, d.region_code, d.check_name from marts.data_quality d "
                                   "semi join marts.achievement a using (campaign_year, region_code) where not passed"))
    assert flagged == failing
