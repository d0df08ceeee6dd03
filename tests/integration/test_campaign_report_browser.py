"""The campaign report in a real browser with the network off: it draws every chart, logs no error, asks
for nothing, and shows the marts' figures. The data: one quick start (sample recaps 2020-2025, daily
facility reports of 2024 for Sumatera Selatan, Bengkulu and Kalimantan Selatan)."""

import shutil
from pathlib import Path

import pytest

from kbetl.reports.numbers import id_number, id_pct
from kbetl.reports.report_data import id_moment_wib
from tests.helpers.browser import chromium_installed, offline_page, wait_for  # noqa: F401 (a fixture)
from tests.helpers.warehouse import query

YEAR = 2024
SCREENSHOT_COPY = Path("/tmp/kbetl-report-screenshot.png")
MAX_BYTES = 5 * 1024 * 1024

# per chart: the data marks Vega drew as SVG (rules such as the 100% line left out)
CHART_MARKS = """
return Array.from(document.querySelectorAll('[data-chart]')).map(function (chart) {
  var marks = 0;
  chart.querySelectorAll('svg g.role-mark').forEach(function (group) {
    if (!group.classList.contains('mark-rule')) { marks += group.children.length; }
  });
  return [chart.getAttribute('data-label'), chart.getAttribute('data-rendered'), marks];
});
"""
TABLE_ROWS = """
return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr:not(.total)')).map(function (row) {
  return Array.from(row.cells).map(function (cell) { return cell.textContent; });
});
"""


@pytest.fixture(scope="module")
def reports(quickstart_warehouse, tmp_path_factory) -> dict[str, Path]:
    from kbetl.reports.campaign_report import write_campaign_report

    _, published = quickstart_warehouse
    folder = tmp_path_factory.mktemp("reports")
    return {
        "national": write_campaign_report(published, YEAR, out=folder / "nasional.html"),
        "63": write_campaign_report(published, YEAR, province="63", out=folder / "kalsel.html"),
    }


def draw(page) -> list[list]:
    """Waits until every chart has been embedded; returns [label, state, marks] per chart."""
    expected = page.script("return document.querySelectorAll('[data-chart]').length;")
    done = wait_for(page, "document.documentElement.getAttribute('data-charts-done')", timeout=120)
    assert int(done) == expected > 0
    return page.script(CHART_MARKS)


def assert_offline_and_clean(page) -> None:
    page.collect()
    assert page.errors() == [], page.errors()
    assert page.failed == [], page.failed
    assert page.requests and all(url.startswith("file:") for url in page.requests), page.requests


def test_the_national_report_draws_offline_and_shows_the_marts(reports, quickstart_warehouse,
                                                               chromium_installed, tmp_path):  # noqa: F811
    _, published = quickstart_warehouse
    path = reports["national"]
    assert path.stat().st_size < MAX_BYTES
    with offline_page(path, *chromium_installed, width=1280, height=2400) as page:
        charts = draw(page)
        assert [c for c in charts if c[1] != "yes" or c[2] <= 0] == [], charts
        assert len(charts) > 38  # the nation's, and each province's
        assert_offline_and_clean(page)

        league = page.script(TABLE_ROWS, "table[data-role='national-league']")
        expected = query(published, """
            select rank, region_code, region_name, target, achieved, achievement_pct from marts.ranking
            where ranking = 'national' and campaign_year = ? order by position""", [YEAR])
        assert [row[:6] for row in league] == [
            [str(rank), code, name, id_number(target), id_number(achieved), f"{id_pct(pct)}%"]
            for rank, code, name, target, achieved, pct in expected]

        at_target, ranked = query(published, """
            select count(*) filter (where achievement_pct >= 100), count(achievement_pct) from marts.achievement
            where campaign_year = ? and level = 'regency'""", [YEAR])[0]
        assert page.script("return document.querySelector('#nasional [data-role=regencies-at-target]').textContent;"
                           ) == f"{at_target} dari {ranked}"

        fastest = page.script(TABLE_ROWS, "table[data-role='fastest-63']")
        expected = query(published, """
            select region_name, reached_target_at from marts.ranking
            where ranking = 'fastest_to_target' and campaign_year = ? and scope_code = '63' order by position""",
                         [YEAR])
        assert [(row[1], row[5]) for row in fastest] == [
            (name, id_moment_wib(at) if at else "belum mencapai") for name, at in expected]
        assert fastest[0][1] == "Kab. Hulu Sungai Tengah" and fastest[0][5] == "4 Juni 2024, 11.05 WIB"

        shot = tmp_path / "laporan-nasional.png"
        assert page.driver.save_screenshot(str(shot))
    shutil.copyfile(shot, SCREENSHOT_COPY)


def test_a_province_report_draws_offline(reports, quickstart_warehouse, chromium_installed):  # noqa: F811
    _, published = quickstart_warehouse
    with offline_page(reports["63"], *chromium_installed) as page:
        charts = draw(page)
        assert [c[0] for c in charts] == ["Capaian kabupaten/kota Kalimantan Selatan",
                                          "Progres kumulatif Kalimantan Selatan",
                                          "Bauran metode, Kalimantan Selatan"]
        assert all(state == "yes" and marks > 0 for _, state, marks in charts), charts
        assert_offline_and_clean(page)
        rows = page.script(TABLE_ROWS, "table[data-role='regency-league-63']")
        expected = query(published, """
            select region_name, achieved, achievement_pct from marts.ranking
            where ranking = 'province' and campaign_year = ? and scope_code = '63' order by position""", [YEAR])
        assert [(r[2], r[4], r[5]) for r in rows] == [(name, id_number(a), f"{id_pct(p)}%") for name, a, p in expected]


# per page: its width against the screen's; per chart: drawn width against its box, and where its 100% line is;
# per table with kept columns: where its achievement cell is once the table is on screen
LAYOUT = """
var root = document.documentElement;
var charts = Array.from(document.querySelectorAll('[data-chart]')).map(function (chart) {
  var svg = chart.querySelector('svg'), rule = chart.querySelector('g.mark-rule');
  var drawn = svg ? svg.getBoundingClientRect() : null, box = chart.getBoundingClientRect();
  var line = rule ? rule.getBoundingClientRect() : null;
  return [chart.getAttribute('data-label'), drawn ? drawn.width : -1, box.width,
          line ? line.left >= drawn.left - 1 && line.right <= drawn.right + 1 && line.width + line.height > 0 : null];
});
var kept = Array.from(document.querySelectorAll('table')).filter(function (t) {
  return t.querySelector('th.keep-r');
}).map(function (table) {
  table.scrollIntoView();
  var cell = table.querySelector('tbody td.keep-r'), rect = cell.getBoundingClientRect();
  return [table.getAttribute('data-role'), rect.left >= 0 && rect.right <= window.innerWidth, cell.textContent];
});
window.scrollTo(0, 0);
return {page: root.scrollWidth, screen: root.clientWidth, charts: charts, kept: kept};
"""

# per chart: the distinct colours its data marks were drawn in (a series that needs its own colour has one)
CHART_COLOURS = """
return Array.from(document.querySelectorAll('[data-chart]')).map(function (chart) {
  var colours = new Set();
  chart.querySelectorAll('svg g.role-mark:not(.mark-rule) path').forEach(function (mark) {
    [mark.getAttribute('fill'), mark.getAttribute('stroke')].forEach(function (colour) {
      if (colour && colour !== 'none' && colour !== 'transparent') { colours.add(colour); }
    });
  });
  return [chart.getAttribute('data-label'), colours.size];
});
"""
SCREENSHOTS = Path("/tmp")  # copies of the screenshots: /tmp/kbetl-report-{national,63}-{412,1400}[-progres].png


@pytest.mark.parametrize("screen", [(412, 915, True), (1400, 1000, False)], ids=["phone-412", "desktop-1400"])
@pytest.mark.parametrize("report", ["national", "63"])
def test_the_report_fits_a_phone_and_a_desktop(reports, chromium_installed, screen, report, tmp_path):  # noqa: F811
    width, height, phone = screen
    with offline_page(reports[report], *chromium_installed, width=width, height=height, phone=phone) as page:
        charts = draw(page)
        assert all(state == "yes" for _, state, _ in charts), charts
        layout = page.script(LAYOUT)
        assert layout["page"] <= layout["screen"] <= width, layout  # the page never scrolls sideways
        assert [c for c in layout["charts"] if not 0 < c[1] <= c[2] + 0.5] == [], layout["charts"]
        bars = [c for c in layout["charts"] if c[0].startswith("Capaian ")]
        assert bars and all(c[3] for c in bars), bars  # the 100% line is drawn inside the chart
        leagues = [k for k in layout["kept"] if "league" in k[0]]  # the achievement column can be read
        assert all(k[1] for k in layout["kept"]) and leagues and all(k[2].endswith("%") for k in leagues), layout
        colours = page.script(CHART_COLOURS)
        assert [c for c in colours if not 0 < c[1] <= 10] == [], colours  # no more series than colours
        # 2024 was a one-day campaign: its progress is drawn by the hour, not as one point per region
        progress = page.script("var c = document.querySelector('[data-label^=\"Progres kumulatif\"]');"
                               "c.scrollIntoView(); return c.querySelector('svg').textContent;")
        assert "Jam (WIB)" in progress, progress
        shots = [tmp_path / f"laporan-{report}-{width}-progres.png", tmp_path / f"laporan-{report}-{width}.png"]
        assert page.driver.save_screenshot(str(shots[0]))
        page.script("window.scrollTo(0, 0);")
        assert page.driver.save_screenshot(str(shots[1]))
        if report == "national":  # the heat table's colours: distance from the nation's figure, as its legend says
            heat = page.script("var t = document.querySelector('table[data-role=history]'); t.scrollIntoView();"
                               "return t.closest('.side').querySelector('[data-role=legend]').textContent;")
            assert "selisih dari capaian nasional" in heat
            shots.append(tmp_path / f"laporan-{report}-{width}-tahunan.png")
            assert page.driver.save_screenshot(str(shots[-1]))
    for shot in shots:
        shutil.copyfile(shot, SCREENSHOTS / shot.name.replace("laporan-", "kbetl-report-"))
