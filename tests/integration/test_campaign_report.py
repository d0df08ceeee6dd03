"""The campaign report as a file: self-contained (no URL), Indonesian numbers, bands as data, every text
from data escaped, the findings and the region-group mart used when there and skipped when not.
(Drawn in a real browser: tests/integration/test_campaign_report_browser.py.)"""

import html.parser
import re
import shutil

import duckdb
import pytest

from kbetl.reports.campaign_report import default_report_path, write_campaign_report
from kbetl.reports.report_data import Band, band_label
from kbetl.warehouse.publish import published_path
from tests.helpers.warehouse import SAMPLE_DIR, publish_recaps

YEAR = 2022
RECAPS = (SAMPLE_DIR / "2022" / "00_nasional_2022.csv", SAMPLE_DIR / "2022" / "17_bengkulu.csv",
          *(SAMPLE_DIR / "2022").glob("63_*"))
HOSTILE = '<img src=x onerror="alert(1)">Kaur</script><script>alert(2)</script>'


class Page(html.parser.HTMLParser):
    """Tags, attributes, and the text of each script and style element."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.scripts, self.styles, self.text = [], [], [], [], []
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, k, v or "") for k, v in attrs]
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        {"script": self.scripts, "style": self.styles}.get(self._in, self.text).append(data)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Bengkulu, Kalimantan Selatan and the national recap of 2022, published: (working, published)."""
    db = tmp_path_factory.mktemp("report") / "kbetl-work.duckdb"
    publish_recaps(db, *RECAPS)
    return db, published_path(db)


@pytest.fixture
def copies(warehouse, tmp_path):
    """Writable copies of both databases."""
    working, published = (shutil.copy(p, tmp_path / p.name) for p in warehouse)
    from pathlib import Path
    return Path(working), Path(published)


def external_references(text: str) -> list[str]:
    page = Page(text)
    found = [f"<{tag} {name}={value}>" for tag, name, value in page.attributes
             if name in ("src", "href", "action", "poster", "data", "srcset", "formaction", "background")
             and not value.startswith("#")]
    found += [f"<{tag}>" for tag in page.tags if tag in ("link", "iframe", "object", "embed", "img", "base")]
    found += [s for s in page.styles if "url(" in s or "@import" in s]
    found += re.findall(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", text)
    return found


def test_the_national_report_is_one_file_with_no_url_and_indonesian_figures(warehouse, tmp_path):
    _, published = warehouse
    path = write_campaign_report(published, YEAR, out=tmp_path / "nasional.html")
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    assert external_references(text) == []
    assert text.count("vegaEmbed=") + text.count("vegaEmbed =") <= 1 and page.tags.count("script") == 3
    assert '<html lang="id">' in text and "Peringkat provinsi" in text
    body = " ".join(page.text)
    assert "12.447" in body and "17.974" in body and "144,40%" in body  # Bengkulu 2022, as published
    assert "≥ 100%" in body and "80–99,99%" in body and "< 80%" in body  # the legend beside the table
    assert 'id="prov-17"' in text and 'id="prov-63"' in text
    assert "Temuan kualitas data" in body  # from the quality marts: no working database needed


def test_a_province_alone_by_name_goes_beside_the_database_with_its_group_winners(warehouse):
    _, published = warehouse
    path = write_campaign_report(published, YEAR, province="bengkulu")
    assert path == default_report_path(published, YEAR, "17") == published.with_name("laporan-psa-2022-17.html")
    body = " ".join(Page(path.read_text(encoding="utf-8")).text)
    assert "Provinsi Bengkulu" in body and "Kalimantan Selatan" not in body
    assert "Bengkulu 2022: target > 1.500" in body and "Juara 1" in body
    assert "Tercepat mencapai 100% sasaran Belum ada data laporan harian fasilitas." in body
    with pytest.raises(ValueError, match="no figures"):
        write_campaign_report(published, YEAR, province="Atlantis")


def test_bands_are_data_and_the_legend_follows_them(warehouse, tmp_path):
    _, published = warehouse
    bands = (Band(120, None, "#2166ac", "Luar biasa", "#ffffff"), Band(None, 120, "#b2182b", "Biasa", "#ffffff"))
    text = write_campaign_report(published, YEAR, out=tmp_path / "r.html", bands=bands).read_text(encoding="utf-8")
    body = " ".join(Page(text).text)
    assert "Luar biasa: ≥ 120%" in body and "Biasa: < 120%" in body and "#1a9850" not in text
    assert 'style="background:#2166ac;color:#ffffff"' in text
    assert band_label(80, 100) == "80–99,99%" and band_label(100, None) == "≥ 100%"
    assert band_label(None, 80) == "< 80%" and band_label(62.5, None) == "≥ 62,50%"


def test_every_text_from_data_is_escaped(copies, tmp_path):
    _, published = copies
    con = duckdb.connect(str(published))
    for table in ("marts.achievement", "marts.ranking"):
        con.execute(f"update {table} set region_name = ? where region_code = '1704'", [HOSTILE])
    con.execute("""insert into marts.data_quality_issues by name
                   select ? as campaign_year, 'internal_consistency' as dimension, 'recap_findings' as check_name,
                          'regency' as level, '1704' as region_code, ? as region_name, '17' as parent_code,
                          ? as subject, 'flag' as severity, 121.65 as value, 120.15 as reference_value,
                          ? as message""",
                [YEAR, HOSTILE, '"><svg onload=alert(3)>.csv baris 7', "baris 7 <b>bold</b>"])
    con.close()
    text = write_campaign_report(published, YEAR, out=tmp_path / "r.html").read_text(encoding="utf-8")
    page = Page(text)
    outside_the_library = text.replace(page.scripts[0], "")  # vega's own code builds elements of its own
    assert "<img" not in outside_the_library and "<svg" not in outside_the_library
    assert "<b>bold</b>" not in text and "onerror=\"alert" not in text
    assert page.tags.count("script") == 3 and "img" not in page.tags and "svg" not in page.tags
    assert HOSTILE in page.text  # shown as text, in the league table
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Kaur&lt;/script&gt;" in text
    assert '&quot;&gt;&lt;svg onload=alert(3)&gt;.csv' in text and "baris 7 &lt;b&gt;bold&lt;/b&gt;" in text
    specs = page.scripts[1]
    assert "</" not in specs and "\\u003cimg src=x" in specs  # in the chart data, as JSON that cannot close its element


def test_the_findings_are_the_quality_marts_of_the_scope(copies, tmp_path):
    _, published = copies
    text = write_campaign_report(published, YEAR, out=tmp_path / "r.html").read_text(encoding="utf-8")
    issues = duckdb.connect(str(published), read_only=True)
    try:
        expected = issues.execute("select count(*) from marts.data_quality_issues where campaign_year = ?",
                                  [YEAR]).fetchone()[0]
    finally:
        issues.close()
    national = text.split('<section class="province"', 1)[0]
    shown = national.split('data-role="findings"', 1)[1].split("</table>", 1)[0].count("<tr>") - 1 if (
        'data-role="findings"' in national) else 0
    assert shown == expected
    assert ("Tidak ada temuan kualitas data." in national) == (expected == 0)


def test_the_region_group_mart_is_shown_when_published_and_skipped_when_not(copies, tmp_path):
    _, published = copies
    heading = "Kelompok wilayah khusus"
    con = duckdb.connect(str(published))
    con.execute("drop table if exists marts.group_achievement")
    con.close()
    assert heading not in write_campaign_report(published, YEAR, out=tmp_path / "a.html").read_text(encoding="utf-8")
    con = duckdb.connect(str(published))
    con.execute("""create table marts.group_achievement as select * from (values
        (2022, '34', 'Daerah tertinggal', 62, 62, 31000, 35400, 114.19, 50, 41.20, 452, 9347, 14434, 154.42, 400,
         35.02),
        (2022, '34', 'Kepulauan', 0, 0, null, null, null, 0, null, null, null, null, null, null, null))
        as t(campaign_year, map_version, group_name, group_regions, regions, target, achieved, achievement_pct,
             mkjp_regions, mkjp_share_pct, outside_regions, outside_target, outside_achieved,
             outside_achievement_pct, outside_mkjp_regions, outside_mkjp_share_pct)""")
    con.close()
    text = write_campaign_report(published, YEAR, out=tmp_path / "b.html").read_text(encoding="utf-8")
    body = " ".join(Page(text).text)
    assert heading in body and "Daerah tertinggal" in body and "35.400" in body and "114,19%" in body
    assert "41,20%" in body and "154,42%" in body and "35,02%" in body
    assert "Kepulauan tidak ada daftar untuk tahun ini" in body
    province = write_campaign_report(published, YEAR, province="17", out=tmp_path / "c.html")
    assert heading not in province.read_text(encoding="utf-8")  # national groups: the national report shows them


def test_an_empty_section_says_so_and_the_heat_table_is_coloured_around_the_national_figure(warehouse, tmp_path):
    from kbetl.reports.numbers import id_pct
    from kbetl.reports.report_data import AROUND_NATIONAL, band_of
    from tests.helpers.warehouse import query

    _, published = warehouse
    text = write_campaign_report(published, YEAR, out=tmp_path / "n.html").read_text(encoding="utf-8")
    body = " ".join(Page(text).text)
    # recaps only: nothing to compare them with, said in one line
    assert ("Selisih rekap dan laporan harian fasilitas Belum ada data laporan harian fasilitas untuk "
            "dibandingkan.") in body
    nation, bengkulu = (query(published, "select achievement_pct from marts.achievement where campaign_year = ? "
                                         "and region_code = ?", [YEAR, code])[0][0] for code in ("00", "17"))
    history = text.split('data-role="history"')[1].split("</table>")[0]
    cell = history.split(">Bengkulu</td>")[1].split("</tr>")[0].split("<td")[-1]  # its 2022 cell
    band = band_of(bengkulu - nation, AROUND_NATIONAL)
    assert f'background:{band.colour}' in cell and f">{id_pct(bengkulu)}%</td>" in cell, cell
    assert "Warna: selisih dari capaian nasional tahun itu" in body and f"{id_pct(nation)}%" in history
