"""Each data-quality audit (sql/audits) on hand-made data: it fires on a case made to fail it and stays
silent on the same data without the fault."""

import re
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from kbetl.warehouse.database import SQL_DIR, connect
from kbetl.warehouse.reference import load_reference
from kbetl.warehouse.transform import run_transforms
from tests.helpers.warehouse import ingest, query

WIB = timezone(timedelta(hours=7))


# --- hand-made inputs ---------------------------------------------------------------------------------

def recap(tmp_path, year: int, province: str, rows: list[tuple]):
    """A provincial recap: (kabupaten/kota, target, achieved[, iud]) rows, ';' and Indonesian numbers."""
    dotted = lambda n: f"{n:,}".replace(",", ".")  # noqa: E731
    with_methods = any(len(r) > 3 for r in rows)
    header = "No;Kabupaten/Kota;Sasaran;IUD;Jumlah" if with_methods else "No;Kabupaten/Kota;Sasaran;Capaian"
    lines = [f"REKAPITULASI HASIL PELAYANAN KB PROVINSI {province.upper()} TAHUN {year}", header]
    for i, row in enumerate(rows, 1):
        cells = [row[0], dotted(row[1]), *([dotted(row[3])] if with_methods else []), dotted(row[2])]
        lines.append(";".join([str(i), *cells]))
    path = tmp_path / f"{province.lower().replace(' ', '_')}_{year}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_facilities(db, facilities: list[tuple], records: list[tuple], year: int = 2022) -> None:
    """facilities: (code, kind); records: (facility, day, acceptors, reported_at WIB); then every model."""
    con = connect(db)
    try:
        load_reference(con)
        con.register("f", pd.DataFrame([(year, code[:2], code, f"Faskes {code}", None, code[:4], kind)
                                        for code, kind in facilities]))
        con.execute("insert into staging.facilities select * from f")
        con.register("r", pd.DataFrame([(year, code[:2], code, code[:4], "injectable", "new", day, acceptors,
                                         at, at, "x", 0, "test") for code, day, acceptors, at in records]))
        con.execute("insert into staging.daily_records select * from r")
        run_transforms(con)
    finally:
        con.close()


def issues(db, check: str) -> list[tuple]:
    return query(db, "select campaign_year, region_code, subject, severity, value, reference_value, message "
                     "from marts.data_quality_issues where check_name = ? order by all", [check])


def set_threshold(db, check: str, parameter: str, value: float) -> None:
    """Thresholds are data: change one and rebuild."""
    con = connect(db)
    try:
        load_reference(con)
        con.execute("update ref.quality_thresholds set value = ? where check_name = ? and parameter = ?",
                    [value, check, parameter])
        run_transforms(con)
    finally:
        con.close()


def figures(message: str) -> list[str]:
    """The numbers a message states, in order, as written (Indonesian: 1.234 and 10,5; 80,00%)."""
    return re.findall(r"\d+(?:[.,]\d+)*%?", message)


def in_order(found: list[str], expected: list[str]) -> bool:
    """Whether the expected figures are among those found, in this order (others may come between)."""
    rest = iter(found)
    return all(any(f == e for f in rest) for e in expected)


def wib(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=WIB)


DAY = date(2022, 6, 15)  # PSA 2022: 15-19 June, reports accepted until 17 June 15:00 WIB


# --- completeness ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("reported, fires", [(8, True), (10, False)])
def test_reporting_rate_flags_a_region_where_fewer_than_90_percent_of_facilities_reported(db, reported, fires):
    facilities = [(f"1701{i:03d}", "puskesmas") for i in range(1, 11)]
    load_facilities(db, facilities, [(code, DAY, 5, wib(DAY, 9)) for code, _ in facilities[:reported]])
    found = issues(db, "reporting_rate")
    if fires:
        assert [(r[1], r[4], r[5]) for r in found] == [("00", 80.0, 90.0), ("17", 80.0, 90.0), ("1701", 80.0, 90.0)]
        assert figures(found[0][6]) == ["8", "10", "80,00%", "90,00%"], "8 of 10 reported, 80% against 90%"
    else:
        assert found == []


@pytest.mark.parametrize("late, fires", [(3, True), (2, False)])
def test_on_time_rate_flags_reports_after_the_campaign_deadline(db, late, fires):
    facilities = [(f"1701{i:03d}", "puskesmas") for i in range(1, 9)]
    deadline_passed = datetime(2022, 6, 17, 16, tzinfo=WIB)
    load_facilities(db, facilities, [(code, DAY, 5, deadline_passed if i < late else wib(DAY, 9))
                                     for i, (code, _) in enumerate(facilities)])
    found = {r[1]: r[4] for r in issues(db, "on_time_rate")}
    assert found == ({"00": 62.5, "17": 62.5, "1701": 62.5} if fires else {})


# --- outliers --------------------------------------------------------------------------------------------

def peers_with(db, extreme: int | None, acceptors: list[int] | None = None) -> None:
    counts = acceptors or [10, 12, 9, 11, 10, 13, 8, 10, 11]
    facilities = [(f"1701{i:03d}", "bidan_praktik_mandiri") for i in range(1, len(counts) + 2)]
    records = [(code, DAY, n, wib(DAY, 9)) for (code, _), n in zip(facilities, counts)]
    if extreme is not None:
        records.append((facilities[-1][0], DAY, extreme, wib(DAY, 9)))
    load_facilities(db, facilities, records)


def test_a_facility_day_twenty_times_its_peers_is_an_extreme_outlier_and_flags_its_kabupaten(db):
    peers_with(db, extreme=200)
    [row] = issues(db, "facility_day_outlier")
    assert row[1:4] == ("1701", "1701010 2022-06-15", "extreme") and row[4:6] == (200.0, 10.5)
    # 200 served against the median 10,5 of its 10 peers of its kind, the campaign's 5 days fewer than 20
    assert in_order(figures(row[6]), ["200", "10,5", "10", "5", "20"]) and "bidan praktik mandiri" in row[6]
    assert query(db, "select passed from marts.data_quality where check_name = 'facility_day_outlier' "
                     "and region_code = '1701'") == [(False,)]


def test_a_facility_day_like_its_peers_is_no_outlier(db):
    peers_with(db, extreme=14)
    assert issues(db, "facility_day_outlier") == []


def test_mad_zero_neither_divides_by_zero_nor_flags_everything(db):
    peers_with(db, extreme=10, acceptors=[10] * 9)  # every value alike: MAD 0 and mean deviation 0
    set_threshold(db, "facility_day_outlier", "min_mad", 0)
    assert issues(db, "facility_day_outlier") == []


def test_mad_zero_with_one_value_apart_falls_back_to_the_mean_absolute_deviation(db):
    peers_with(db, extreme=200, acceptors=[10] * 9)  # MAD 0; only the mean deviation tells the one apart
    set_threshold(db, "facility_day_outlier", "min_mad", 0)
    [row] = issues(db, "facility_day_outlier")
    assert row[1:4] == ("1701", "1701010 2022-06-15", "extreme")


def test_a_facility_with_enough_days_is_held_against_its_own_days(db):
    days = [DAY + timedelta(days=i) for i in range(5)]
    counts = [10, 11, 9, 10, 150]
    load_facilities(db, [("1701001", "klinik")], [("1701001", d, n, wib(d, 9)) for d, n in zip(days, counts)])
    assert issues(db, "facility_day_outlier") == [], "5 days are fewer than min_own_days and it has no peers"
    set_threshold(db, "facility_day_outlier", "min_own_days", 5)
    [row] = issues(db, "facility_day_outlier")
    assert row[2] == "1701001 2022-06-19" and in_order(figures(row[6]), ["150", "10", "5"]), "median 10 of 5 days"


def bengkulu(tmp_path, year: int, odd: tuple | None = None):
    names = ["Bengkulu Selatan", "Rejang Lebong", "Bengkulu Utara", "Kaur", "Seluma", "Mukomuko", "Lebong",
             "Kepahiang", "Bengkulu Tengah", "Kota Bengkulu"]
    rows = [(n, 1000, 1200 + 10 * i) for i, n in enumerate(names)]
    if odd:
        rows[odd[0]] = (names[odd[0]], *odd[1:])
    return recap(tmp_path, year, "Bengkulu", rows)


def test_a_kabupaten_far_from_its_provinces_achievement_is_an_outlier(db, tmp_path):
    ingest(db, bengkulu(tmp_path, 2022, odd=(3, 1000, 4000)))
    [row] = issues(db, "regency_achievement_outlier")
    # Kaur's 400% against the median of the ten: 120%, 121%, ... 129% but Kaur, 400%: (125% + 126%) / 2
    assert row[1] == "1704" and row[3] == "extreme" and row[4] == 400.0
    assert in_order(figures(row[6]), ["400,00%", "125,50%", "10"])


def test_achievements_spread_as_usual_have_no_outlier(db, tmp_path):
    ingest(db, bengkulu(tmp_path, 2022))
    assert issues(db, "regency_achievement_outlier") == []


# --- consistency over time -------------------------------------------------------------------------------

def kaur_targets(tmp_path, targets: dict[int, int]) -> list:
    """Bengkulu's recaps by year; Kaur's target per year, the others' 1.000 every year."""
    return [bengkulu(tmp_path, year, odd=(3, target, target)) for year, target in targets.items()]


def test_consistency_over_time_with_one_and_two_previous_campaigns(db, tmp_path):
    ingest(db, *kaur_targets(tmp_path, {2020: 100, 2021: 300, 2022: 300}))
    found = {r[0]: r for r in issues(db, "target_vs_history")}
    assert set(found) == {2021, 2022} and all(r[1] == "1704" for r in found.values())
    assert found[2021][4:6] == (300.0, 100.0) and in_order(figures(found[2021][6]), ["300", "1", "2020", "100"])
    assert found[2022][4:6] == (300.0, 200.0)
    assert in_order(figures(found[2022][6]), ["300", "2", "2020", "2021", "200"])


def test_a_target_that_keeps_its_level_is_consistent_over_time(db, tmp_path):
    ingest(db, *kaur_targets(tmp_path, {2020: 100, 2021: 100, 2022: 104}))
    assert issues(db, "target_vs_history") == [] and issues(db, "achieved_vs_history") == []


def test_three_previous_campaigns_at_most(db, tmp_path):
    ingest(db, *kaur_targets(tmp_path, {2020: 900, 2021: 100, 2022: 100, 2023: 100, 2024: 100}))
    assert [r[0] for r in issues(db, "target_vs_history")] == [2021, 2022, 2023], "2024 no longer sees 2020"


@pytest.mark.parametrize("merauke_2023, fires", [(300, True), (100, False)])
def test_a_kabupaten_that_changed_code_in_2022_is_compared_across_the_change(db, tmp_path, merauke_2023, fires):
    others = [("Boven Digoel", 1000, 1000), ("Mappi", 1000, 1000), ("Asmat", 1000, 1000)]
    ingest(db, recap(tmp_path, 2022, "Papua", [("Merauke", 100, 100), *others]),
           recap(tmp_path, 2023, "Papua Selatan", [("Merauke", merauke_2023, merauke_2023), *others]))
    found = [(r[0], r[1], r[2]) for r in issues(db, "target_vs_history")]
    assert found == ([(2023, "9301", "2022 (kode 9401)")] if fires else [])


# --- internal consistency --------------------------------------------------------------------------------

def test_recap_findings_are_a_check_of_their_own_in_plain_words(db, tmp_path):
    ingest(db, recap(tmp_path, 2022, "Bengkulu", [("Kaur", 1000, 1000), ("Lebong", 100, 20000)]))
    found = issues(db, "recap_findings")
    implausible = [r for r in found if r[1] == "1707"]
    assert implausible and "Capaian tidak masuk akal dibanding sasaran" in implausible[0][6]
    assert query(db, "select count(*) from audit.findings") == [(len(found),)]


def test_a_clean_recap_has_no_findings(db, tmp_path):
    ingest(db, bengkulu(tmp_path, 2022))
    assert issues(db, "recap_findings") == []


@pytest.mark.parametrize("iud, fires", [(150, True), (50, False)])
def test_mkjp_share_above_100_percent(db, tmp_path, iud, fires):
    ingest(db, recap(tmp_path, 2022, "Bengkulu", [("Kaur", 1000, 100, iud)]))
    found = [(r[1], r[4]) for r in issues(db, "mkjp_share_range")]
    assert found == ([("00", 150.0), ("17", 150.0), ("1704", 150.0)] if fires else []), "and the sums above it"


def test_kbpp_above_all_acceptors_served(db):
    facilities = [("1701001", "puskesmas")]
    load_facilities(db, facilities, [("1701001", DAY, 5, wib(DAY, 9))])
    audit = (SQL_DIR / "audits" / "kbpp_within_total.sql").read_text()
    con = connect(db)
    try:
        assert con.execute(audit).fetchall() == []
        con.execute("update marts.service_mix set kbpp_achieved = region_achieved + 1 where region_code = '1701'")
        assert [r[1:4] for r in con.execute(audit).fetchall()] == [("1701", 6, 5)]  # region, value, reference
    finally:
        con.close()


@pytest.mark.parametrize("reported, fires", [(3, True), (10, False)])
def test_a_province_summed_from_part_of_its_kabupaten_is_marked_partial(db, tmp_path, reported, fires):
    path = bengkulu(tmp_path, 2022)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:2 + reported]) + "\n")
    ingest(db, path)
    assert query(db, "select is_partial, children_reported, children_expected from marts.achievement "
                     "where region_code = '17'") == [(fires, reported, 10)]
    found = [(r[1], r[4], r[5]) for r in issues(db, "partial_sum")]
    nation = ("00", 1.0, 34.0)  # one province of 34 reported, complete or not
    assert found == ([nation, ("17", 3.0, 10.0)] if fires else [nation])


# --- between sources -------------------------------------------------------------------------------------

@pytest.mark.parametrize("served, fires", [(800, True), (950, False)])
def test_recap_against_the_facility_sum_beyond_10_percent(db, tmp_path, served, fires):
    ingest(db, recap(tmp_path, 2022, "Bengkulu", [("Bengkulu Selatan", 1000, 1000)]))
    load_facilities(db, [("1701001", "puskesmas")], [("1701001", DAY, served, wib(DAY, 9))])
    found = [(r[1], r[4], r[5]) for r in issues(db, "recap_vs_facility")]
    assert found == ([("1701", 800.0, 1000.0)] if fires else [])
    assert query(db, "select count(*) from marts.reconciliation where region_code = '17'") == [(1,)], \
        "the province has both figures, but its register covers one of its ten kabupaten/kota: not compared"
