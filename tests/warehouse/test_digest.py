"""The daily digest's text on hand-made data (facility_data.bengkulu_2022, loaded and published without a
server), its length on a whole generated province, and the delivery bookkeeping that needs no socket."""

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from devtools.generate.facilities import FacilityData, generate_facility_data
from kbetl.reference.tables import campaign_days
from kbetl.reports.delivery import _scrub, _secrets, read_recipients, send_digests
from kbetl.reports.digest import MAX_CHARS, NoDigest, digest_html, digest_subject, digest_text
from kbetl.reports.projection import day_shape, project
from kbetl.runs import load_pulls
from kbetl.sources.report_api.pull import ProvincePull
from kbetl.warehouse.publish import published_path
from tests.helpers.facility_data import bengkulu_2022
from tests.helpers.warehouse import query

JUNE_15, JUNE_16 = date(2022, 6, 15), date(2022, 6, 16)


def as_pull(data: FacilityData, year: int, province: str) -> ProvincePull:
    """The data set as the report API would have delivered one province (JSON pages, decoded)."""
    records = data.records[data.records["province_code"] == province].reset_index(drop=True)
    records = records.assign(
        acceptors=records["acceptors"].astype("Int64"), report_date=pd.to_datetime(records["report_date"]),
        reported_at=pd.to_datetime(records["reported_at"], utc=True),
        updated_at=pd.to_datetime(records["updated_at"], utc=True),
        file_sha256="d" * 64, file_name=f"/v1/provinces/{province}/services?page=1",
        source_row=range(1, len(records) + 1))
    facilities = data.facilities[data.facilities["province_code"] == province]
    targets = data.targets[data.targets["province_code"] == province]
    return ProvincePull(year, province, campaign_days(year),
                        facilities=facilities[["facility_code", "facility_name", "district_code", "regency_code",
                                               "kind"]].reset_index(drop=True),
                        targets=targets[["region_code", "level", "target", "kbpp_target"]].reset_index(drop=True),
                        records=records.drop(columns=["campaign_year", "province_code"]), records_in=len(records))


def published(db: Path, data: FacilityData, year: int, province: str) -> Path:
    load_pulls(db, [as_pull(data, year, province)], "test", publish_to=published_path(db))
    return published_path(db)


@pytest.fixture(scope="module")
def bengkulu(tmp_path_factory) -> Path:
    return published(tmp_path_factory.mktemp("digest") / "work.duckdb", bengkulu_2022(), 2022, "17")


def digest(path: Path, day: date, **scope) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return digest_text(con, day, **scope)
    finally:
        con.close()


def test_province_digest_of_the_first_day(bengkulu):
    assert digest(bengkulu, JUNE_15, province="17") == (
        "*PSA 2022 – Bengkulu*\n"
        "Rabu, 15 Juni 2022, akhir hari\n"
        "Capaian: 9 akseptor dari target 115 (7,83%).\n"
        "\n"
        "Paling tertinggal:\n"
        "• Kota Bengkulu 0,00% (0/100), kurang 100 akseptor; belum lapor: Selebar 1\n"
        "• Kab. Bengkulu Selatan 40,00% (4/10), kurang 6 akseptor; belum lapor: Seginim 1\n"
        "\n"
        "Mencapai 100% hari ini: 1 kabupaten/kota — Kab. Rejang Lebong 09.00 WIB.\n"
        "\n"
        "Faskes belum lapor: 2 dari 4. Per kecamatan: Seginim (Bengkulu Selatan) 1, Selebar (Kota Bengkulu) 1")


def test_kabupaten_digest_names_the_balai_kb_that_reached_100_percent_and_when(bengkulu):
    text = digest(bengkulu, JUNE_16, regency="1701")
    assert text.splitlines()[:3] == [
        "*PSA 2022 – Kab. Bengkulu Selatan* (Bengkulu)", "Kamis, 16 Juni 2022, akhir hari",
        "Capaian: 10 akseptor dari target 10 (100,00%). Target 100% tercapai hari ini pukul 10.00 WIB."]
    assert "Belum ada kecamatan (Balai KB) yang mencapai 100% hari ini." in text  # 170101 reached it on the 15th
    assert "Semua kecamatan (Balai KB) sudah mencapai 100%." in text
    assert "Faskes belum lapor: 1 dari 2. Per kecamatan: Kedurang 1" in text  # 1701001 served nothing on the 16th
    day_one = digest(bengkulu, JUNE_15, regency="1701")
    assert "Mencapai 100% hari ini: 1 kecamatan (Balai KB) — Kedurang 08.00 WIB." in day_one


def test_as_of_a_time_of_day_counts_only_what_was_reported_before_that_full_hour(bengkulu):
    at_nine = digest(bengkulu, JUNE_15, province="17", at="09:40")  # → 09.00: the 09:00 report is not in yet
    assert at_nine.splitlines()[1:3] == ["Rabu, 15 Juni 2022, pukul 09.00 WIB",
                                         "Capaian: 4 akseptor dari target 115 (3,48%)."]
    assert "Belum ada kabupaten/kota yang mencapai 100% hari ini." in at_nine
    assert "• Kab. Rejang Lebong 0,00% (0/5), kurang 5 akseptor; belum lapor: tanpa kecamatan 1" in at_nine
    assert "Faskes belum lapor: 3 dari 4." in at_nine
    at_ten = digest(bengkulu, JUNE_15, province="17", at="10:00")
    assert "Capaian: 9 akseptor" in at_ten and "— Kab. Rejang Lebong 09.00 WIB." in at_ten


def test_numbers_the_indonesian_way_on_a_whole_province_and_at_most_1000_characters(tmp_path):
    data = generate_facility_data(years=[2024], provinces=["63"])
    path = published(tmp_path / "work.duckdb", data, 2024, "63")
    for scope in ({"province": "63"}, {"province": "63", "at": "10:30"}, {"regency": "6307"},
                  {"regency": "6307", "at": "09:00"}):
        text = digest(path, date(2024, 6, 4), **scope)
        assert len(text) <= MAX_CHARS, scope
    province = digest(path, date(2024, 6, 4), province="63")
    served, target = query(path, "select cumulative_achieved, target from marts.daily_progress "
                                 "where region_code = '63'")[0]
    assert f"dari target {target:,}".replace(",", ".") in province and target >= 1000
    assert f"Capaian: {served:,}".replace(",", ".") in province
    assert province.split("Mencapai 100% hari ini: ")[1].split(" — ")[1].startswith("Kab. Hulu Sungai Tengah")
    assert "," in province.split("(")[1].split("%")[0]  # 115,23%, never 115.23%
    busy = digest(path, date(2024, 6, 4), province="63", at="10:30")
    assert "kec. lain)" in busy, "a long list is cut, and says how many more"


def test_the_change_since_the_previous_digest_comes_from_the_hourly_figures_at_its_time(bengkulu):
    at_ten = digest(bengkulu, JUNE_15, province="17", at="10:00", since="09:00")
    # 09:00's report (5 acceptors, Rejang Lebong to 100%) counts from 10.00 WIB; 5 of the target 115 = 4,35 points
    assert "Sejak ringkasan 09.00 WIB: +5 akseptor (+4,35 poin), 1 kabupaten/kota baru mencapai 100%." in at_ten
    assert "Sejak ringkasan" not in digest(bengkulu, JUNE_15, province="17"), "no campaign day before the first"
    then = query(bengkulu, "select sum(cumulative_by_hour[25]) from marts.district_reporting "
                           "where report_date = ? and province_code = '17'", [JUNE_15])[0][0]
    now = query(bengkulu, "select cumulative_achieved from marts.daily_progress "
                          "where report_date = ? and region_code = '17'", [JUNE_16])[0][0]
    assert now > then
    assert f"Sejak ringkasan kemarin: +{now - then} akseptor" in digest(bengkulu, JUNE_16, province="17")
    assert "Sejak ringkasan 15 Juni 2022: " in digest(bengkulu, date(2022, 6, 17), province="17", since=JUNE_15)
    with pytest.raises(ValueError):
        digest(bengkulu, JUNE_15, province="17", at="10:00", since="11:00")


def test_the_projection_at_the_current_pace():
    steady = [0, 0, 0] + [10 * k for k in range(1, 23)]  # 10 acceptors an hour from 02.00
    assert project(steady, 5, None) == 220  # the day's pace carried on to 24.00
    assert project(steady, 2, None) is None, "nothing reported yet today: no pace"
    half_by_five = [0.0] * 5 + [0.5] * 19 + [1.0]
    assert project(steady, 5, half_by_five) == 60  # half of a day's reports come in before 05.00
    assert project(steady, 5, [0.0] * 5 + [0.04] * 19 + [1.0]) is None, "too early in the day's shape"
    shape = day_shape([steady, [7] * 25])  # a day with nothing in it adds nothing to the shape
    assert shape[5] == 30 / 220 and shape[24] == 1
    assert project(steady, 5, shape) == 220


def test_the_digest_projects_the_region_and_the_two_furthest_behind_from_earlier_days_shape(bengkulu):
    text = digest(bengkulu, JUNE_16, province="17", at="11:00")
    # on 15 June every report came in before 10.00, so by 11.00 a day is complete: 15 of 115 stays ±13%
    assert "Dengan laju saat ini: ±13% pada 24.00 WIB." in text.splitlines()
    behind = [line for line in text.splitlines() if line.startswith("• ")]
    assert behind[0].startswith("• Kota Bengkulu 0,00% (0/100), kurang 100 akseptor; laju saat ini: ±0% pada 24.00")
    assert "laju saat ini" not in digest(bengkulu, JUNE_16, province="17"), "only for a digest as of an hour"


def test_no_digest_outside_the_campaign_or_for_an_unknown_region(bengkulu):
    with pytest.raises(NoDigest):
        digest(bengkulu, date(2022, 7, 1), province="17")
    with pytest.raises(NoDigest):
        digest(bengkulu, JUNE_15, province="63")
    with pytest.raises(ValueError):
        digest(bengkulu, JUNE_15, regency="170101")


# --- delivery without a socket ---------------------------------------------------------------------

def test_recipients_are_names_of_environment_variables_never_urls(tmp_path):
    good = tmp_path / "ok.csv"
    good.write_text("# comment\nscope_code,url_env\n17,KBETL_DIGEST_17\n1701,KBETL_DIGEST_1701\n")
    assert [(r.scope_code, r.url_env) for r in read_recipients(good)] == [("17", "KBETL_DIGEST_17"),
                                                                          ("1701", "KBETL_DIGEST_1701")]
    pasted = tmp_path / "pasted.csv"
    pasted.write_text("scope_code,url_env\n17,tgram://123456:SECRETTOKEN/-100200\n")
    with pytest.raises(ValueError) as refused:
        read_recipients(pasted)
    assert "SECRETTOKEN" not in str(refused.value) and "tgram" not in str(refused.value)
    from kbetl.reports.delivery import RECIPIENTS_CSV
    assert all("://" not in r.url_env for r in read_recipients(RECIPIENTS_CSV))


def test_an_error_is_scrubbed_of_the_url_and_its_parts():
    url = "mailto://kbetl:p%40ssw0rd@smtp.example.org:587?from=kbetl@example.org&to=ops@example.org"
    apprise_said = ("Connection error while submitting email to \"smtp.example.org\" as kbetl with p@ssw0rd; "
                    f"to ops%40example.org; url {url}; tgram://123:ABC/-1")
    scrubbed = _scrub(apprise_said, _secrets(url))
    for secret in ("smtp.example.org", "p@ssw0rd", "p%40ssw0rd", "ops%40example.org", "ops@example.org", "://"):
        assert secret not in scrubbed
    assert scrubbed.startswith("Connection error while submitting email to")


def test_a_recipient_without_its_variable_is_recorded_failed_and_retried_a_dry_run_prints(bengkulu, tmp_path):
    work = tmp_path / "work.duckdb"
    recipients = tmp_path / "r.csv"
    recipients.write_text("scope_code,url_env\n17,KBETL_TEST_DIGEST_17\n")
    first = send_digests(work, bengkulu, JUNE_15, recipients, env={})
    assert [(d.status, d.error) for d in first] == [("failed", "environment variable KBETL_TEST_DIGEST_17 is not set")]
    printed = []
    dry = send_digests(work, bengkulu, JUNE_16, recipients, env={}, dry_run=True, echo=printed.append)
    assert [(d.digest_date, d.status) for d in dry] == [(JUNE_15, "printed"), (JUNE_16, "printed")]
    assert "$KBETL_TEST_DIGEST_17" in printed[0] and digest(bengkulu, JUNE_15, province="17") in printed[0]
    assert query(work, "select digest_date, scope_code, recipient, status from audit.digest_deliveries") == [
        (JUNE_15, "17", "KBETL_TEST_DIGEST_17", "failed")], "a dry run records nothing"
    outside = send_digests(work, bengkulu, date(2022, 7, 1), recipients, env={})
    assert [(d.digest_date, d.status) for d in outside] == [(JUNE_15, "failed"), (date(2022, 7, 1), "no_digest")]


def test_an_e_mail_subject_has_scope_and_date_and_no_bold_marks():
    assert digest_subject("*PSA 2024 – Kab. Hulu Sungai Tengah* (Kalimantan Selatan)\n"
                          "Selasa, 4 Juni 2024, pukul 12.00 WIB\nCapaian: 1") == (
        "PSA 2024 – Kab. Hulu Sungai Tengah (Kalimantan Selatan) – 4 Juni 2024, 12.00 WIB")
    assert digest_subject("*PSA 2022 – Bengkulu*\nRabu, 15 Juni 2022, akhir hari") == (
        "PSA 2022 – Bengkulu – 15 Juni 2022")
    assert digest_html("a < b\n• c  d") == "a &lt; b<br>• c  d"
