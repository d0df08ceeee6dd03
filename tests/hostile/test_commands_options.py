"""Issue 20, cases 7 and 13, and issue 19 (one language, no traceback): option values that name no region,
no time, no campaign year, or an empty province end in one sentence (Bahasa Indonesia) naming the option,
exit 2, before anything starts; a region option takes a code or a name everywhere, and an ambiguous name
is refused with its candidates."""

import pytest

from kbetl.reference.tables import campaign_years
from tests.hostile.commands_helpers import kbetl, prefect_started, pulled_only, sentence  # noqa: F401 (a fixture)

DAY = ("--date", "2022-06-15")


def test_digest_at_an_hour_that_does_not_exist_is_one_sentence(tmp_path, pulled_only):  # noqa: F811
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--province", "17", "--at", "25:00")
    assert result.returncode == 2
    assert sentence(result).startswith("--at '25:00' bukan jam yang sah")


def test_digest_of_a_province_that_does_not_exist_names_the_closest(tmp_path, pulled_only):  # noqa: F811
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--province", "abc")
    assert result.returncode == 2
    line = sentence(result)
    assert line.startswith("--province: nama wilayah 'abc' tidak cocok dengan provinsi mana pun; yang paling mirip:")


def test_digest_takes_a_province_or_a_kabupaten_kota_by_name(tmp_path, pulled_only):  # noqa: F811
    by_code = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--province", "17")
    by_name = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--province", "bengkulu")
    assert by_code.returncode == by_name.returncode == 0, by_name.stderr
    assert by_name.stdout == by_code.stdout and "Bengkulu" in by_code.stdout
    regency = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--regency", "Kota Bengkulu")
    assert regency.returncode == 0 and regency.stdout == kbetl(
        tmp_path, "digest", "--db", pulled_only, *DAY, "--regency", "1771").stdout


def test_an_ambiguous_kabupaten_kota_name_is_refused_with_its_candidates(tmp_path, pulled_only):  # noqa: F811
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--regency", "Bekasi")
    assert result.returncode == 2
    assert sentence(result) == ("--regency: nama wilayah 'Bekasi' cocok dengan 2 wilayah: Kab. Bekasi (3216), "
                                "Kota Bekasi (3275) (peta 34 provinsi, tahun 2022).")


def test_a_kabupaten_kota_outside_the_province_given_is_refused(tmp_path, pulled_only):  # noqa: F811
    result = kbetl(tmp_path, "digest", "--db", pulled_only, *DAY, "--province", "17", "--regency", "3216")
    assert sentence(result) == ("--regency 3216: bukan kode kabupaten/kota di provinsi 17 pada peta 34 provinsi "
                                "(tahun 2022).")


@pytest.mark.parametrize(("provinces", "start"), [
    ("99", "--provinces 99: bukan kode provinsi pada peta 34 provinsi (tahun 2022)."),
    ("16,,17", "--provinces '16,,17' memuat butir kosong"),
    ("16,", "--provinces '16,' memuat butir kosong"),
    ("", "--provinces '' memuat butir kosong"),
    ("Sumatra Tengah", "--provinces: nama wilayah 'Sumatra Tengah' tidak cocok dengan provinsi mana pun"),
])
def test_pull_refuses_provinces_that_are_not_on_the_years_map_before_it_starts(tmp_path, provinces, start):
    result = kbetl(tmp_path, "pull", "--year", "2022", "--provinces", provinces, "--api-url", "http://127.0.0.1:9",
                   "--db", tmp_path / "w.duckdb", env={"KBETL_API_TOKEN": "t"}, own_prefect=True)
    assert result.returncode == 2
    assert sentence(result).startswith(start)
    assert not prefect_started(tmp_path) and not (tmp_path / "w.duckdb").exists()


def test_a_province_of_the_new_map_is_no_province_of_a_year_on_the_old_one(tmp_path):
    result = kbetl(tmp_path, "backfill", "--years", "2020-2022", "--provinces", "17,92", "--db", tmp_path / "w.duckdb",
                   own_prefect=True)
    assert result.returncode == 2
    assert sentence(result) == "--provinces 92: bukan kode provinsi pada peta 34 provinsi (tahun 2020)."
    assert not prefect_started(tmp_path)


def test_province_lists_take_codes_and_names_once_each():
    from kbetl.reference.options import OptionError, province_codes, region_code

    assert province_codes("--provinces", "16, Bengkulu,17,kalimantan selatan", [2022, 2024]) == ["16", "17", "63"]
    assert region_code("--regency", "kab. rejang lebong", "regency", 2022, within="17") == "1702"
    with pytest.raises(OptionError, match="bukan kode provinsi"):
        region_code("--province", "1701", "province", 2024)


def test_league_of_a_year_that_is_no_campaign_is_one_sentence(tmp_path, pulled_only):  # noqa: F811
    result = kbetl(tmp_path, "league", "--db", pulled_only, "--year", "1999")
    assert result.returncode == 2
    known = ", ".join(map(str, campaign_years()))
    assert sentence(result) == f"--year 1999: bukan tahun kampanye PSA (yang dikenal: {known})."


def test_league_on_a_database_with_only_pulled_reports_is_one_sentence(tmp_path, pulled_only):  # noqa: F811
    result = kbetl(tmp_path, "league", "--db", pulled_only)
    assert result.returncode == 1
    assert sentence(result).startswith("Belum ada peringkat nasional")


def test_league_without_a_published_database_is_one_sentence(tmp_path):
    result = kbetl(tmp_path, "league", "--db", tmp_path / "none.duckdb")
    assert result.returncode == 1
    assert sentence(result).startswith(f"Belum ada basis data terbit di {tmp_path / 'none-published.duckdb'}")


@pytest.mark.parametrize("command", ["report", "quality"])
def test_report_and_quality_of_a_year_that_is_no_campaign_are_one_sentence(tmp_path, pulled_only,  # noqa: F811
                                                                          command):
    result = kbetl(tmp_path, command, "--db", pulled_only, "--year", "1999")
    assert result.returncode == 2
    assert sentence(result).startswith("--year 1999: bukan tahun kampanye PSA")
