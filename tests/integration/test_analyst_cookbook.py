"""docs/analysts.md runs: every question's query, run on the published file of a quick start, returns the answer
the page prints under it, and that answer is what a computation of this test's own gives from the layers below
the marts (staging and audit tables of the working database, the sample files) — never the marts' SQL."""

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb
import pytest

from devtools.cli import CURRENT_USERS_SAMPLE_DIR, SAMPLE_DIR
from kbetl.warehouse.database import PROJECT_DIR

PAGE = PROJECT_DIR / "docs" / "analysts.md"
QUESTION = re.compile(r"^### (\d+)\. [^\n]*\n.*?^```sql\n(.*?)^```\n\nAnswer:\n\n```text\n(.*?)^```", re.S | re.M)
WIB = timezone(timedelta(hours=7))
YEAR = 2024


def cookbook() -> dict[int, tuple[str, str]]:
    """{question number: (query, answer as printed)}."""
    return {int(n): (sql, answer) for n, sql, answer in QUESTION.findall(PAGE.read_text())}


def cell(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, list):
        return "[" + ", ".join(map(cell, value)) + "]"
    return str(value)


def shown(columns: list[str], rows: list[tuple]) -> str:
    """A result as the page prints it: a header line, then one line per row, cells separated by ' | '."""
    return "".join(" | ".join(map(cell, line)) + "\n" for line in [tuple(columns), *rows])


def pct(part, whole) -> Decimal:
    """part / whole × 100, rounded half up to 2 decimals from the exact fraction."""
    return Decimal(float(Fraction(100 * part, whole))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def run(path, sql: str) -> tuple[list[str], list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        result = con.execute(sql)
        return [d[0] for d in result.description], result.fetchall()
    finally:
        con.close()


QUESTIONS = cookbook()


def test_the_cookbook_asks_at_least_15_questions_each_checked_here():
    assert len(QUESTIONS) >= 15 and set(QUESTIONS) == set(INDEPENDENT)


@pytest.mark.parametrize("number", sorted(QUESTIONS))
def test_the_query_returns_the_printed_answer_and_the_lower_layers_agree(number, quickstart_warehouse):
    working, published = quickstart_warehouse
    sql, printed = QUESTIONS[number]
    columns, rows = run(published, sql)
    assert rows, f"question {number} has no answer on the quick-start data"
    assert shown(columns, rows) == printed, f"question {number}: the page shows another answer; run the query"
    con = duckdb.connect(str(working), read_only=True)
    try:
        assert [tuple(map(cell, r)) for r in rows] == [tuple(map(cell, r)) for r in INDEPENDENT[number](con)]
    finally:
        con.close()


# ---- the same answers from below the marts --------------------------------------------------------------------

def fetch(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def recap_figures(con, level: str, year: int = YEAR) -> list[dict]:
    """PSA figures by region of a level (staging.achievement, what the achievement mart starts from)."""
    rows = con.execute("select * from staging.achievement where campaign_year = ? and level = ?", [year, level])
    names = [d[0] for d in rows.description]
    return [dict(zip(names, r)) for r in rows.fetchall()]


def names(con, year: int = YEAR) -> dict[str, str]:
    return dict(fetch(con, "select r.region_code, r.region_name from ref.regions r join ref.campaigns c "
                           "on r.map_version = c.region_map where c.campaign_year = ?", [year]))


def ranked(items: list, key) -> list[tuple[int, object]]:
    """(rank, item), best first, ties sharing a rank (1, 2, 2, 4)."""
    items = sorted(items, key=key)
    return [(1 + sum(key(other) < key(item) for other in items), item) for item in items]


def failing_checks(con) -> dict[str, list[str]]:
    """Region → the checks whose audit table (schema audits, one per check) has a row for it in the year."""
    found: dict[str, set[str]] = {}
    for (check,) in fetch(con, "select check_name from ref.quality_checks"):
        for (code,) in fetch(con, f"select distinct region_code from audits.{check} where campaign_year = ?", [YEAR]):
            found.setdefault(code, set()).add(check)
    return {code: sorted(checks) for code, checks in found.items()}


def q1_national_league(con):
    provinces = [f for f in recap_figures(con, "province") if f["target"]]
    top = ranked(provinces, lambda f: -Fraction(f["achieved"], f["target"]))[:3]
    return [(rank, f["region_name"], pct(f["achieved"], f["target"])) for rank, f in top]


def q2_awards(con):
    blocking = {c for (c,) in fetch(con, "select check_name from ref.quality_checks where blocks_award")}
    flags = failing_checks(con)
    regencies = [f for f in recap_figures(con, "regency") if f["parent_code"] == "16" and f["target"]]
    key = lambda f: -Fraction(f["achieved"], f["target"])  # noqa: E731
    rank = dict((f["region_code"], r) for r, f in ranked(regencies, key))
    eligible = [f for f in regencies if not blocking & set(flags.get(f["region_code"], []))]
    return [(award, rank[f["region_code"]], f["region_name"], pct(f["achieved"], f["target"]),
             flags.get(f["region_code"], [])) for award, f in ranked(eligible, key) if award <= 3]


def q3_target_groups(con):
    regencies = [f for f in recap_figures(con, "regency") if f["target"]]
    best = []
    for _, province, group, low, high in fetch(con, "select * from ref.target_groups where campaign_year = ?", [YEAR]):
        members = [f for f in regencies if province in ("*", f["parent_code"]) and f["target"] >= (low or 0)
                   and (high is None or f["target"] <= high)]
        best += [(group, f["region_name"], pct(f["achieved"], f["target"]))
                 for rank, f in ranked(members, lambda f: -Fraction(f["achieved"], f["target"])) if rank == 1]
    return sorted(best)


def reached(con, level: str) -> dict[str, datetime]:
    """Region → the WIB moment the facility reports (latest version of each record) carried its running total
    to its target: records summed in the order served and reported."""
    code = {"district": "district_code", "regency": "regency_code", "province": "province_code",
            "national": "'00'"}[level]
    records = fetch(con, f"select {code}, report_date, reported_at, acceptors from staging.daily_current "
                         "where campaign_year = ? order by report_date, reported_at", [YEAR])
    targets: dict[str, int] = {}
    for region, regency_target in fetch(con, "select region_code, target from staging.daily_targets "
                                             "where campaign_year = ? and level = ?",
                                        [YEAR, "district" if level == "district" else "regency"]):
        parent = {"district": region, "regency": region, "province": region[:2], "national": "00"}[level]
        targets[parent] = targets.get(parent, 0) + regency_target
    running: dict[str, int] = {}
    moments: dict[str, datetime] = {}
    for region, day, at, acceptors in records:
        running[region] = running.get(region, 0) + acceptors
        if region in targets and targets[region] > 0 and region not in moments and running[region] >= targets[region]:
            moments[region] = at.astimezone(WIB).replace(tzinfo=None)
    return moments


def fastest(con, level: str, parent: str, first: int | None):
    regions = names(con)
    parents = dict(fetch(con, "select region_code, parent_code from ref.regions where map_version = '38'"))
    moments = {code: at for code, at in reached(con, level).items() if parents.get(code) == parent}
    order = ranked(list(moments), lambda code: moments[code])
    return [(rank, regions[code], moments[code]) for rank, code in order][:first]


def q4_fastest_province(con):
    return fastest(con, "province", "00", None)


def q5_fastest_regency(con):
    return fastest(con, "regency", "63", 3)


def q6_fastest_district(con):
    return fastest(con, "district", "6307", 3)


def q7_nation(con):
    (served,) = fetch(con, "select sum(acceptors) from staging.daily_current where campaign_year = ?", [YEAR])[0]
    (target,) = fetch(con, "select sum(target) from staging.daily_targets where campaign_year = ? "
                           "and level = 'regency'", [YEAR])[0]
    at = reached(con, "national")["00"]
    return [(at.date(), at, served, target, pct(served, target))]


def q8_progress_in_the_day(con):
    def served_before(hour: int) -> int:
        cut = datetime(2024, 6, 4, hour, tzinfo=WIB)
        return fetch(con, "select sum(acceptors) from staging.daily_current where campaign_year = ? "
                          "and province_code = '63' and report_date <= ? and reported_at < ?",
                     [YEAR, date(2024, 6, 4), cut])[0][0]
    return [(served_before(12), served_before(18))]


def q9_across_the_map_change(con):
    (old_code,) = fetch(con, "select regency_code from ref.regency_crosswalk where current_regency_code = '9301' "
                             "and regency_code <> current_regency_code")[0]
    found = []
    for year, code, parent_name in ((2022, old_code, "Papua"), (2023, "9301", "Papua Selatan")):
        f = next(f for f in recap_figures(con, "regency", year) if f["region_code"] == code)
        found.append((year, code, parent_name, f["achieved"], pct(f["achieved"], f["target"])))
    return found


def q10_daerah_tertinggal(con):
    listed = {c for (c,) in fetch(con, "select region_code from ref.region_groups where group_name = "
                                       "'Daerah tertinggal 2020-2024' and ? between first_year and last_year", [YEAR])}
    with_methods = [f for f in recap_figures(con, "regency") if f["iud"] is not None and f["achieved"]]
    inside = [f for f in with_methods if f["region_code"] in listed]
    outside = [f for f in with_methods if f["region_code"] not in listed]
    mkjp = lambda fs: sum(f["iud"] + f["implant"] + f["mow"] + f["mop"] for f in fs)  # noqa: E731
    return [(len(inside), pct(mkjp(inside), sum(f["achieved"] for f in inside)),
             len(outside), pct(mkjp(outside), sum(f["achieved"] for f in outside)))]


def q11_lowest_mkjp(con):
    regions = names(con)
    shares = sorted((Fraction(f["iud"] + f["implant"] + f["mow"] + f["mop"], f["achieved"]), f["region_code"],
                     f["region_name"], regions[f["parent_code"]]) for f in recap_figures(con, "regency")
                    if f["iud"] is not None and f["achieved"])
    return [(name, parent, pct(share.numerator, share.denominator)) for share, _, name, parent in shares[:3]]


def q12_missing_breakdowns(con):
    counts: dict[str | None, int] = {}
    for f in recap_figures(con, "regency"):
        has_all = all(f[m] is not None for m in ("pill", "condom", "injectable", "iud", "implant", "mow", "mop"))
        reason = None if has_all else (
            "children_without_breakdown" if f["figures_from"].startswith("sum_of_") else "source_without_breakdown")
        counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or ""))


def q13_on_time(con):
    regions = names(con)
    expected = dict(fetch(con, "select regency_code, count(*) from staging.facilities where campaign_year = ? "
                               "group by all", [YEAR]))
    first = fetch(con, "select regency_code, facility_code, min(reported_at) from staging.daily_current "
                       "where campaign_year = ? and report_date = ? group by all", [YEAR, date(2024, 6, 4)])
    deadline = datetime(2024, 6, 4, 23, 59, 59, tzinfo=WIB)  # ref.campaigns sets none for 2024: the day's end
    reported: dict[str, int] = {}
    on_time: dict[str, int] = {}
    for regency, _, at in first:
        reported[regency] = reported.get(regency, 0) + 1
        on_time[regency] = on_time.get(regency, 0) + (at <= deadline)
    late = [(pct(on_time.get(r, 0), n), r) for r, n in expected.items() if on_time.get(r, 0) < n]
    return [(regions[r], expected[r], reported.get(r, 0), pct(reported.get(r, 0), expected[r]), rate)
            for rate, r in sorted(late)]


def q14_recap_vs_facility(con):
    regions = names(con)
    levels = {"province": "province_code", "regency": "regency_code"}
    found = []
    for level, column in levels.items():
        facility = dict(fetch(con, f"select {column}, sum(acceptors) from staging.daily_current "
                                   "where campaign_year = ? group by all", [YEAR]))
        for f in recap_figures(con, level):
            if f["region_code"] in facility and facility[f["region_code"]] != f["achieved"]:
                found.append((level, regions[f["region_code"]], f["achieved"], facility[f["region_code"]],
                              facility[f["region_code"]] - f["achieved"], f["region_code"]))
    return [row[:5] for row in sorted(found, key=lambda row: (-abs(row[4]), row[5]))]


def q15_flagged_provinces(con):
    regions = names(con)
    return [(regions[code], checks) for code, checks in sorted(failing_checks(con).items())
            if len(code) == 2 and code != "00"]


def q16_current_users(con):
    export = next((CURRENT_USERS_SAMPLE_DIR / str(YEAR)).glob("peserta_kb_aktif_hulu_sungai_tengah*"))
    rows = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8"))))
    found = sorted(((pct(int(r["jumlah_peserta_kb_aktif"]), int(r["target_peserta_kb_aktif"])), r["kecamatan"],
                     int(r["jumlah_peserta_kb_aktif"]), int(r["target_peserta_kb_aktif"])) for r in rows), reverse=True)
    return [(name, users, target, share) for share, name, users, target in found[:3]]


def q17_lineage(con):
    """The region's row in its province's recap, read from the sample file itself (row 11 in a spreadsheet)."""
    recap = SAMPLE_DIR / str(YEAR) / "63_kalimantan_selatan.csv"
    lines = recap.read_bytes().decode("cp1252").splitlines()
    spelling = re.compile(r"^(kab(upaten|\.)?)?(hulusungaitengah|hst)$")  # as the file spells it
    number, row = next((n, line.split(";")) for n, line in enumerate(lines, 1)
                       if ";" in line and spelling.match(re.sub(r"\s", "", line.split(";")[1].lower())))
    return [(int(row[10].replace(".", "")), "reported", recap.name, number)]


INDEPENDENT = {1: q1_national_league, 2: q2_awards, 3: q3_target_groups, 4: q4_fastest_province,
               5: q5_fastest_regency, 6: q6_fastest_district, 7: q7_nation, 8: q8_progress_in_the_day,
               9: q9_across_the_map_change, 10: q10_daerah_tertinggal, 11: q11_lowest_mkjp,
               12: q12_missing_breakdowns, 13: q13_on_time, 14: q14_recap_vs_facility, 15: q15_flagged_provinces,
               16: q16_current_users, 17: q17_lineage}
