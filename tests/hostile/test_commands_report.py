"""Issue 20, cases 7 and 14: `report --out` naming a folder is one sentence and leaves nothing behind; the
report's Content-Security-Policy lets only its own scripts run (each by its SHA-256), so markup injected
into the page could never run a script, while the charts still draw (in a real browser, offline)."""

import re

from kbetl.reports.report_html import Page
from tests.helpers.browser import chromium_installed, offline_page, wait_for  # noqa: F401 (a fixture)
from tests.hostile.commands_helpers import kbetl, recaps_2022, sentence  # noqa: F401 (a fixture)

SPEC = {"data": {"values": [{"a": "Bengkulu", "b": 3}, {"a": "Jambi", "b": 5}]}, "mark": "bar",
        "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}}}
INJECTED = ("<script>document.documentElement.setAttribute('data-injected', 'script')</script>"
            "<div id='handler' onclick=\"document.documentElement.setAttribute('data-injected', 'handler')\">x</div>")


def test_report_out_naming_an_existing_folder_is_one_sentence_and_leaves_no_partial_file(tmp_path,
                                                                                        recaps_2022):  # noqa: F811
    folder = tmp_path / "laporan"
    folder.mkdir()
    result = kbetl(tmp_path, "report", "--db", recaps_2022, "--year", "2022", "--out", folder)
    assert result.returncode == 1
    assert sentence(result) == (f"--out {folder} adalah folder: berikan nama berkas HTML, misalnya "
                                f"{folder / 'laporan.html'}.")
    assert list(tmp_path.glob(".*partial")) == [] and list(folder.iterdir()) == []


def test_the_report_is_written_where_out_says(tmp_path, recaps_2022):  # noqa: F811
    result = kbetl(tmp_path, "report", "--db", recaps_2022, "--year", "2022", "--province", "Bengkulu",
                   "--out", tmp_path / "bengkulu.html")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "bengkulu.html").stat().st_size > 0 and list(tmp_path.glob(".*partial")) == []


def _script_src(html: str) -> list[str]:
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    return next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()[1:]


def test_the_policy_allows_the_pages_own_scripts_by_hash_and_no_inline_script(tmp_path):
    from kbetl.reports.report_html import script_hash

    page = Page("uji")
    html = page.html(page.chart(SPEC, "uji") + INJECTED)
    allowed = _script_src(html)
    assert "'unsafe-inline'" not in allowed
    own = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(own) == 3  # the chart library (head), the injected one (body), the page's renderer (end)
    assert [script_hash(s) in allowed for s in own] == [True, False, True]
    assert _script_src(Page("tanpa grafik").html("<p>x</p>")) == ["'none'", "'unsafe-eval'"]


def test_injected_markup_never_runs_while_the_charts_draw(tmp_path, chromium_installed):  # noqa: F811
    page = Page("uji")
    path = tmp_path / "laporan.html"
    path.write_text(page.html(page.chart(SPEC, "uji") + INJECTED), encoding="utf-8")
    with offline_page(path, *chromium_installed) as browser:
        assert wait_for(browser, "document.documentElement.getAttribute('data-charts-done')") == "1"
        browser.script("document.getElementById('handler').click();")
        assert browser.script("return document.querySelector('[data-chart]').getAttribute('data-rendered');") == "yes"
        assert browser.script("return document.documentElement.getAttribute('data-injected');") is None
