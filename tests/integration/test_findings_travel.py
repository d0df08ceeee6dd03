"""Findings travel with the figures (issue 19, observations 1, 2 and 7), on a quick-start-shaped warehouse
(the sample recaps and the quick start's facility data with their planted faults): every table people read
marks a flagged region with the titles of its failing checks, juara lists follow award_rank, the report's
findings are the quality marts of its scope, the digest says why a figure is in doubt, and an aggregate
built from part of its children says so."""

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from devtools.cli import QUICKSTART_PROVINCES, QUICKSTART_YEAR
from devtools.generate.faults import RECAP_OVERSTATED, TARGET_JUMP
from kbetl.cli import cli
from kbetl.reports.campaign_report import write_campaign_report
from kbetl.reports.run_summary import run_summary_markdown
from kbetl.warehouse.database import connect
from kbetl.warehouse.publish import published_path
from tests.helpers.warehouse import query
from tests.integration.test_campaign_report import Page

YEAR = QUICKSTART_YEAR
OVERSTATED, JUMPED = RECAP_OVERSTATED["province"], TARGET_JUMP["regency"]


@pytest.fixture(scope="module")
def warehouse(quick_start_shaped):
    """(working, published) of the quick start's data, planted faults included."""
    working = quick_start_shaped(True)
    return working, published_path(working)


def title(published, check: str) -> str:
    return query(published, "select title_id from ref.quality_checks where check_name = ?", [check])[0][0]


def name(published, code: str) -> str:
    return query(published, "select region_name from marts.achievement where campaign_year = ? and region_code = ?",
                 [YEAR, code])[0][0]


def table_rows(html: str, role: str) -> list[list[str]]:
    """The body rows of every table with this data-role, as cell texts."""
    rows = []
    for found in re.findall(rf'<table[^>]*data-role="{role}"[^>]*>(.*?)</table>', html, flags=re.S):
        body = found.split("<tbody>", 1)[1]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
            rows.append([" ".join(Page(cell).text).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                                  flags=re.S)])
    return rows


def national_section(html: str) -> str:
    return html.split('<section id="nasional">', 1)[1].split('<section class="province"', 1)[0]


@pytest.fixture(scope="module")
def national_report(warehouse, tmp_path_factory) -> str:
    return write_campaign_report(warehouse[1], YEAR, out=tmp_path_factory.mktemp("r") / "n.html").read_text(
        encoding="utf-8")


# ---- observation 1: the province first nationally fails recap_vs_facility -----------------------------

def test_the_quick_start_data_flag_the_first_province_and_keep_it_from_awards(warehouse):
    _, published = warehouse
    [(rank, flags, eligible, award_rank)] = query(published, """
        select rank, quality_flags, award_eligible, award_rank from marts.ranking
        where campaign_year = ? and ranking = 'national' and region_code = ?""", [YEAR, OVERSTATED])
    assert (rank, flags, eligible, award_rank) == (1, ["recap_vs_facility"], False, None)


def test_the_league_command_marks_a_flagged_province_with_the_check_title(warehouse):
    working, published = warehouse
    done = CliRunner().invoke(cli, ["league", "--year", str(YEAR), "--db", str(working)])
    assert done.exit_code == 0, done.output
    lines = {line.split()[1]: line for line in done.output.splitlines() if re.match(r"\s+\d+\s+\d\d\s", line)}
    assert lines[OVERSTATED].endswith(f"⚠ {title(published, 'recap_vs_facility')} (tidak layak juara)")
    assert "⚠" not in lines["51"]  # Bali: no flag
    assert "recap_vs_facility" not in done.output


def test_the_national_report_marks_the_flagged_province_and_lists_both_findings(warehouse, national_report):
    _, published = warehouse
    national = national_section(national_report)
    league = {row[1]: row for row in table_rows(national, "national-league")}
    assert league[OVERSTATED][-1] == f"⚠ {title(published, 'recap_vs_facility')} (tidak layak juara)"
    assert league["51"][-1] == ""
    findings = {(row[0], row[1], row[3]) for row in table_rows(national, "findings")}
    assert (title(published, "recap_vs_facility"), name(published, OVERSTATED), "tidak lolos") in findings
    assert (title(published, "target_vs_history"), name(published, JUMPED), "tidak lolos") in findings
    assert len(table_rows(national, "findings")) == query(
        published, "select count(*) from marts.data_quality_issues where campaign_year = ?", [YEAR])[0][0]
    assert "Tidak ada temuan" not in national


def test_a_province_report_lists_its_own_findings(warehouse, tmp_path):
    _, published = warehouse
    html = write_campaign_report(published, YEAR, "Bengkulu", out=tmp_path / "17.html").read_text(encoding="utf-8")
    findings = {(row[0], row[1]) for row in table_rows(html, "findings")}
    assert (title(published, "target_vs_history"), name(published, JUMPED)) in findings
    assert all(region != name(published, OVERSTATED) for _, region in findings)
    fastest = {row[1]: row for row in table_rows(html, "fastest-17")}
    assert fastest[name(published, JUMPED)][0] == "-"  # not eligible: no place among the fastest


def test_the_nightly_summary_marks_the_flagged_province(warehouse):
    working, published = warehouse
    con_p, con_w = connect(published, read_only=True), connect(working, read_only=True)
    try:
        markdown = run_summary_markdown(con_p, con_w, [], YEAR)
    finally:
        con_p.close()
        con_w.close()
    row = next(line for line in markdown.splitlines() if f"| {name(published, OVERSTATED)} |" in line)
    assert f"⚠ {title(published, 'recap_vs_facility')} (tidak layak juara)" in row


def test_a_juara_list_never_names_an_ineligible_region_as_winner(warehouse, tmp_path):
    """A copy where the first of a national target-size group fails a blocking check: the group's juara
    follow award_rank, and the region is listed marked instead."""
    working, published = (shutil.copy(p, tmp_path / p.name) for p in warehouse)
    con = connect(published)
    try:
        group, region = con.execute(
            "select scope_code, region_code from marts.ranking where campaign_year = ? and ranking = 'group' "
            "and award_rank = 1 order by scope_code limit 1", [YEAR]).fetchone()
        con.execute("""update marts.ranking set award_eligible = false, award_rank = null,
                           quality_flags = ['achieved_vs_history']
                       where campaign_year = ? and ranking = 'group' and scope_code = ? and region_code = ?""",
                    [YEAR, group, region])
        con.execute("""update marts.ranking as r set award_rank = e.award_rank
                       from (select region_code, rank() over (order by achievement_pct desc) as award_rank
                             from marts.ranking where campaign_year = ? and ranking = 'group' and scope_code = ?
                               and award_eligible) as e
                       where r.campaign_year = ? and r.ranking = 'group' and r.scope_code = ?
                         and r.region_code = e.region_code""", [YEAR, group, YEAR, group])
        expected = con.execute("select region_name from marts.ranking where campaign_year = ? and ranking = 'group' "
                               "and scope_code = ? and award_rank = 1", [YEAR, group]).fetchall()
        ineligible = con.execute("select region_name from marts.ranking where campaign_year = ? and "
                                 "ranking = 'group' and scope_code = ? and region_code = ?",
                                 [YEAR, group, region]).fetchone()[0]
    finally:
        con.close()
    html = write_campaign_report(published, YEAR, out=tmp_path / "n.html").read_text(encoding="utf-8")
    rows = {row[1]: row for row in table_rows(national_section(html), "group-winners")}
    assert rows[ineligible][0] == "- (tidak layak juara)"
    assert rows[ineligible][-1].startswith(f"⚠ {title(published, 'achieved_vs_history')}")
    assert [r for r, row in rows.items() if row[0] == "Juara 1"] == [n for (n,) in expected]


# ---- observation 2: the digest says why a figure is in doubt ------------------------------------------

def test_the_digest_of_bengkulu_explains_the_target_of_seluma(warehouse):
    working, published = warehouse
    [(value, reference, subject)] = query(published, """
        select value, reference_value, subject from marts.data_quality_issues
        where campaign_year = ? and check_name = 'target_vs_history' and region_code = ?""", [YEAR, JUMPED])
    campaigns = len(subject.split(", "))
    ratio = f"{value / reference:.1f}".replace(".", ",")
    done = CliRunner().invoke(cli, ["digest", "--date", f"{YEAR}-06-04", "--province", "Bengkulu", "--dry-run",
                                    "--db", str(working)])
    assert done.exit_code == 0, done.output
    [line] = [line for line in done.output.splitlines() if name(published, JUMPED) in line]
    assert line.endswith(f"⚠ sasaran {ratio}× rata-rata {campaigns} kampanye sebelumnya; periksa sasaran")
    assert "3,2× rata-rata 3 kampanye" in line  # the planted jump, as the issue saw it


def test_the_digest_of_a_flagged_province_says_why_under_its_progress(warehouse):
    working, published = warehouse
    [(value, reference)] = query(published, """
        select value, reference_value from marts.data_quality_issues
        where campaign_year = ? and check_name = 'recap_vs_facility' and region_code = ?""", [YEAR, OVERSTATED])
    done = CliRunner().invoke(cli, ["digest", "--date", f"{YEAR}-06-04", "--province", OVERSTATED, "--dry-run",
                                    "--db", str(working)])
    assert done.exit_code == 0, done.output
    fmt = lambda v: f"{round(v):,}".replace(",", ".")  # noqa: E731
    assert done.output.splitlines()[3] == (
        f"⚠ Data diragukan: rekap {fmt(reference)} akseptor, laporan faskes {fmt(value)}; periksa rekap.")


# ---- observation 7: an aggregate of part of its children says so --------------------------------------

def test_the_national_facility_figures_say_how_many_provinces_they_come_from(warehouse, national_report):
    _, published = warehouse
    [(provinces,)] = query(published, """
        select count(*) from ref.regions as r join ref.campaigns as c on r.map_version = c.region_map
        where c.campaign_year = ? and r.level = 'province'""", [YEAR])
    label = f"Indonesia ({len(QUICKSTART_PROVINCES)} dari {provinces} provinsi)"
    national = national_section(national_report)
    reconciliation = {row[1]: row for row in table_rows(national, "reconciliation")}
    assert label in reconciliation and "Indonesia" not in reconciliation
    assert label in {row[1] for row in table_rows(national, "kbpp")}
    specs = json.loads(re.search(r'id="kbetl-chart-specs">(.*?)</script>', national_report, flags=re.S).group(1))
    curve = specs[int(re.search(r'data-chart="(\d+)" data-label="Progres kumulatif Indonesia"', national).group(1))]
    names = set(re.findall(r'"name": "(Indonesia[^"]*)"', json.dumps(curve, ensure_ascii=False)))
    assert names == {label}
    # the recap figures of the nation cover every province: no label there
    league_total = re.search(r'data-role="national-league".*?<tr class="total">(.*?)</tr>', national, flags=re.S)
    assert ">Indonesia<" in league_total.group(1)
