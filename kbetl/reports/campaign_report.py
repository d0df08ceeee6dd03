"""The campaign report: one self-contained HTML file (Bahasa Indonesia) of a PSA campaign year, national
with a section per province, or one province alone. It opens from disk or an attachment with no
network: style, chart library and data are all inside the file.

Reads the published analyst database only (marts and ref, read-only). A figure in doubt says so where it
is shown: league and juara rows carry the titles of their failing data-quality checks (juara follow
award_rank), the findings are marts.data_quality_issues of the report's scope, and a figure summed from
only part of its children names how many ("Indonesia (3 dari 38 provinsi)").
"""

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb

from kbetl.reference.indonesian import LEVEL_WORDS, WIB, id_date, id_moment, id_pct, id_time, labels
from kbetl.reports import report_charts as charts
from kbetl.reports import report_data as data
from kbetl.reports.flags import NOT_ELIGIBLE, facility_coverage, partial_label, quality_notes
from kbetl.reports.report_data import DEFAULT_BANDS, Band, band_of
from kbetl.reports.report_html import Cell, Page, esc, legend, n, num, p, pct, table

LEVELS = labels("level_heading")
MADE_OF = "kbetl-made-of"  # the report's last line: what it was made of (see _made_of)
MAX_FINDINGS = 200
# marts.group_achievement (a group's kabupaten/kota against the rest); another shape is shown column by column
REGION_GROUP_COLUMNS = {"group_name", "achievement_pct", "mkjp_share_pct", "outside_achievement_pct",
                        "outside_mkjp_share_pct"}


def _made_of(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None, bands: tuple[Band, ...],
             source_name: str) -> str:
    """What a report is made of: its scope, bands and source, every published table's rows, and the code that
    writes reports."""
    digest = hashlib.sha256(repr((year, province_code, bands, source_name, _code_version())).encode())
    for schema, name in con.execute("select schema_name, table_name from duckdb_tables() "
                                    "where database_name = current_database() order by all").fetchall():
        rows = con.execute(f"select count(*), sum(hash(t)) from {schema}.{name} as t").fetchone()
        digest.update(f"{schema}.{name}:{rows}".encode())
    return digest.hexdigest()


@cache
def _code_version() -> str:
    reports, reference = Path(__file__).parent, Path(__file__).parents[1] / "reference"
    files = sorted([*reports.glob("*.py"), *reference.rglob("*.py"), *(reference / "data").iterdir()])
    return hashlib.sha256(b"".join(f.read_bytes() for f in files if f.is_file())).hexdigest()


def _made_of_in(report: Path) -> str | None:
    """The key a report file was written with (its last line), or None."""
    try:
        with report.open("rb") as file:
            file.seek(max(report.stat().st_size - 200, 0))
            tail = file.read().decode("utf-8", "replace")
    except OSError:
        return None
    found = re.search(rf"<!-- {MADE_OF} ([0-9a-f]{{64}}) -->\s*$", tail)
    return found and found.group(1)


def default_report_path(published_db_path: Path, year: int, province_code: str | None = None) -> Path:
    """Beside the published database: laporan-psa-2024.html, laporan-psa-2024-63.html."""
    suffix = f"-{province_code}" if province_code else ""
    return Path(published_db_path).with_name(f"laporan-psa-{year}{suffix}.html")


def write_campaign_report(published_db_path: str | Path, year: int, province: str | None = None,
                          out: str | Path | None = None, *, bands: Sequence[Band] = DEFAULT_BANDS,
                          only_if_changed: bool = False) -> Path:
    """Writes the report of `year` (nationally, or for `province`: a code or a name) and returns its path.

    `bands` colour achievement (default ≥ 100% green, 80–99,99% yellow, < 80% red). only_if_changed: a report
    already at the path, made from the same published figures by the same code, is left as it is (the nightly
    run writes the report only when a load changed what it shows).
    """
    published_db_path = Path(published_db_path)
    if not published_db_path.exists():
        raise FileNotFoundError(f"no published database at {published_db_path}")
    if out is not None and Path(out).is_dir():
        raise ValueError(f"--out {out} adalah folder: berikan nama berkas HTML, misalnya {Path(out) / 'laporan.html'}.")
    bands = tuple(bands)
    con = duckdb.connect(str(published_db_path), read_only=True)
    try:
        chosen = None if province is None else data.resolve_province(con, year, province)
        code = chosen and chosen["code"]
        target = Path(out) if out else default_report_path(published_db_path, year, code)
        made_of = _made_of(con, year, code, bands, published_db_path.name)
        if only_if_changed and _made_of_in(target) == made_of:
            return target
        report = _Report(con, year, bands, published_db_path.name)
        text = report.national() if chosen is None else report.province_only(chosen)
    finally:
        con.close()
    text += f"\n<!-- {MADE_OF} {made_of} -->\n"
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ValueError(f"Laporan tidak dapat ditulis ke {target} ({exc.strerror}): pilih --out yang lain.") from None
    return target


class _Report:
    def __init__(self, con, year: int, bands: tuple[Band, ...], source_name: str):
        self.con, self.year, self.bands, self.source_name = con, year, bands, source_name
        self.campaign = data.campaign(con, year) or {}
        self.notes = quality_notes(con, year)
        self.page: Page | None = None

    def _note(self, code: str, flags, award_eligible: bool | None = None) -> Cell:
        """The league row's note: the titles of its failing checks (the reasons with figures on hover)."""
        return Cell(self.notes.mark(flags, award_eligible), title="; ".join(self.notes.reasons(code)) or None)

    def _facility_name(self, code: str | None, name: str) -> str:
        """The name of a region whose figures come from facility reports, saying so when they cover only
        part of it ('Indonesia (3 dari 38 provinsi)')."""
        reported, expected = facility_coverage(self.con, self.year, code or "00")
        return partial_label(name, reported, expected, "national" if code is None else "province")

    def _relabel(self, rows: list[dict], code: str | None, name: str) -> list[dict]:
        """Rows of facility-based figures with the scope's own row named as _facility_name says."""
        label = self._facility_name(code, name)
        return [{**r, "region_name": label} if r["region_code"] == (code or "00") else r for r in rows]

    def _total_name(self, total: dict) -> str:
        return partial_label(total["region_name"] if total["region_code"] != "00" else "Indonesia",
                             total["children_reported"], total["children_expected"], total["level"])

    # ---- the page ----------------------------------------------------------------------------------
    def national(self) -> str:
        if not data.provinces(self.con, self.year):
            raise ValueError(f"the published database has no figures for {self.year}")
        self.page = Page(f"Laporan PSA {self.year}: Nasional")
        provinces = data.provinces(self.con, self.year)
        toc = "".join(f'<a href="#prov-{esc(pr["code"])}">{esc(pr["name"])}</a><br>' for pr in provinces)
        body = [self._header("Nasional"),
                f'<nav class="toc"><a href="#nasional"><strong>Nasional</strong></a><br>{toc}</nav>',
                self._national_section()]
        body += [self._province_section(pr) for pr in provinces]
        body.append(self._footer())
        return self.page.html("".join(body))

    def province_only(self, province: dict) -> str:
        self.page = Page(f"Laporan PSA {self.year}: Provinsi {province['name']}")
        return self.page.html(self._header(f"Provinsi {province['name']}") + self._province_section(province)
                              + self._footer())

    def _header(self, scope: str) -> str:
        edition = self.campaign.get("edition")
        first, last = self.campaign.get("first_service_day"), self.campaign.get("last_service_day")
        days = ""
        if first:
            first_day, last_day = first, last or first
            days = (id_date(first_day) if last_day == first_day
                    else f"{id_date(first_day)} – {id_date(last_day)}")
        parts = (f"Harganas ke-{edition}" if edition else "", f"hari pelayanan {days}" if days else "")
        sub = " · ".join(x for x in parts if x)
        return (f"<header><h1>Pelayanan KB Serentak Sejuta Akseptor (PSA) {self.year} — {esc(scope)}</h1>"
                f'<p class="meta">{esc(sub)}</p></header>')

    def _footer(self) -> str:
        made = datetime.now(WIB)
        return (f'<footer><p class="note">Dibuat {esc(id_date(made.date()))} pukul {id_time(made)} WIB dari basis data '
                f"analis {esc(self.source_name)} (marts dan ref). Capaian = capaian ÷ sasaran × 100. "
                "Angka ditulis dengan titik sebagai pemisah ribuan dan koma sebagai tanda desimal.</p></footer>")

    # ---- national ----------------------------------------------------------------------------------
    def _national_section(self) -> str:
        year, con = self.year, self.con
        nation = data.region_total(con, year, "00")
        at_target, ranked = data.regencies_at_target(con, year)
        league = data.national_league(con, year)
        parts = ['<section id="nasional"><h2>Nasional</h2>', self._stats(nation, at_target, ranked)]
        rows = [[str(r["rank"]), r["region_code"], r["region_name"], n(r["target"]), n(r["achieved"]),
                 p(r["achievement_pct"], self.bands), p(r["mkjp_share_pct"]),
                 Cell(f"{r['regencies_at_target']} dari {r['regencies_ranked']}", numeric=True),
                 self._note(r["region_code"], r["quality_flags"], r["award_eligible"])] for r in league]
        total = None
        if nation:
            total = ["", "00", self._total_name(nation), n(nation["target"]), n(nation["achieved"]),
                     p(nation["achievement_pct"], self.bands), p(nation["mkjp_share_pct"]),
                     Cell(f"{at_target} dari {ranked}", numeric=True),
                     self._note("00", nation["quality_flags"])]
        parts.append("<h3>Peringkat provinsi</h3>")
        parts.append('<div class="side">' + table(
            ["Peringkat", "Kode", "Provinsi", ("Sasaran", True), ("Capaian", True), ("Capaian %", True),
             ("Porsi MKJP", True), ("Kab/kota ≥ 100%", True), "Catatan data"], rows, total,
            data_role="national-league", keep=(2, 5)) + legend(self.bands) + "</div>" + self._flag_legend(league))
        if league:
            parts.append(self.page.chart(charts.achievement_bars(league, f"Capaian provinsi, PSA {year}", self.bands),
                                         "Capaian provinsi"))
        parts.append(self._history())
        parts.append(self._groups(None))
        parts.append(self._region_groups(None))
        parts.append(self._daily(None, "Indonesia"))
        parts.append(self._methods(None, "provinsi"))
        parts.append(self._kbpp(None))
        parts.append(self._completeness(None))
        parts.append(self._reconciliation(None))
        parts.append(self._findings_section(None))
        parts.append("</section>")
        return "".join(parts)

    def _flag_legend(self, rows: list[dict]) -> str:
        if not any(r["quality_flags"] for r in rows):
            return ""
        return (f'<p class="note">⚠ = pemeriksaan kualitas data tidak lolos untuk wilayah itu (rinciannya di '
                f'"Temuan kualitas data"); {NOT_ELIGIBLE} = pemeriksaan yang gagal menghalangi penghargaan: '
                "peringkatnya tetap, tetapi tidak menjadi juara sampai keraguannya dijernihkan.</p>")

    def _stats(self, total: dict | None, at_target: int, ranked: int) -> str:
        if not total:
            return '<p class="empty">Belum ada angka capaian.</p>'
        partial = self._total_name(total)
        note = "" if partial in (total["region_name"], "Indonesia") else (
            f'<p class="note" data-role="partial">Angka {esc(partial)}: dijumlah dari sebagian wilayahnya saja, '
            "batas bawah, bukan angka wilayah itu.</p>")
        return note + ('<div class="side">'
                f'<div><div class="stat">{esc(pct(total["achievement_pct"]))}</div>capaian '
                f'({esc(num(total["achieved"]))} dari sasaran {esc(num(total["target"]))})</div>'
                f'<div><div class="stat" data-role="regencies-at-target">{at_target} <small>dari {ranked}</small></div>'
                "kabupaten/kota mencapai ≥ 100%</div>"
                f'<div><div class="stat">{esc(pct(total["mkjp_share_pct"]))}</div>porsi MKJP</div></div>')

    def _history(self) -> str:
        years, rows = data.province_history(self.con, self.year)
        if len(years) < 1:
            return ""
        nation = data.national_history(self.con, self.year)
        body = []
        for r in rows:
            name = r["name"] + (" (peta 34 provinsi, sebelum pemekaran 2022)" if r["former"] else "")
            body.append([name] + [self._around_nation(r["pct"].get(y), nation.get(y)) for y in years])
        body.append(["Nasional"] + [p(nation.get(y)) for y in years])
        return (f"<h3>Capaian per tahun, {years[0]}–{years[-1]}</h3>"
                '<p class="note">Provinsi menurut peta tahun ' f"{self.year}; tahun sebelumnya lewat kode wilayah "
                "saat ini. Warna: selisih dari capaian nasional tahun yang sama (baris terakhir), bukan dari "
                "sasaran, agar perbedaan antarprovinsi terlihat.</p>"
                '<div class="side">' + table(["Provinsi"] + [(str(y), True) for y in years], body, css="heat",
                                             data_role="history", keep=(0, len(years)))
                + legend(data.AROUND_NATIONAL, "Warna: selisih dari capaian nasional tahun itu") + "</div>")

    def _around_nation(self, value, national) -> Cell:
        """A heat-table cell: its %, coloured by its distance from the nation's % that year."""
        if value is None or national is None:
            return p(value)
        return Cell(pct(value), numeric=True, band=band_of(value - national, data.AROUND_NATIONAL),
                    title=f"{'+' if value >= national else ''}{id_pct(value - national)} poin dari nasional")

    # ---- a province --------------------------------------------------------------------------------
    def _province_section(self, province: dict) -> str:
        year, con, code, name = self.year, self.con, province["code"], province["name"]
        total = data.region_total(con, year, code)
        at_target, ranked = data.regencies_at_target(con, year, code)
        league = data.regency_league(con, year, code)
        parts = [f'<section class="province" id="prov-{esc(code)}"><h2>Provinsi {esc(name)}</h2>',
                 self._stats(total, at_target, ranked), "<h3>Peringkat kabupaten/kota</h3>"]
        rows = [[str(r["rank"]), r["region_code"], r["region_name"], n(r["target"]), n(r["achieved"]),
                 p(r["achievement_pct"], self.bands), p(r["mkjp_share_pct"]),
                 self._note(r["region_code"], r["quality_flags"], r["award_eligible"])] for r in league]
        tot = None
        if total:
            tot = ["", code, self._total_name(total), n(total["target"]), n(total["achieved"]),
                   p(total["achievement_pct"], self.bands), p(total["mkjp_share_pct"]),
                   self._note(code, total["quality_flags"])]
        if rows:
            parts.append('<div class="side">' + table(
                ["Peringkat", "Kode", "Kabupaten/kota", ("Sasaran", True), ("Capaian", True), ("Capaian %", True),
                 ("Porsi MKJP", True), "Catatan data"], rows, tot, data_role=f"regency-league-{code}", keep=(2, 5))
                + legend(self.bands) + "</div>" + self._flag_legend(league))
        else:
            parts.append('<p class="empty">Belum ada capaian kabupaten/kota.</p>')
        unranked = data.unranked_regencies(con, year, code)
        if unranked:
            parts.append('<p class="note">Tanpa sasaran (tidak diperingkat): '
                         + esc(", ".join(r["region_name"] for r in unranked)) + ".</p>")
        if league:
            parts.append(self.page.chart(charts.achievement_bars(league, f"Capaian kabupaten/kota, {name}",
                                                                 self.bands), f"Capaian kabupaten/kota {name}"))
        parts += [self._groups(code), self._fastest(code), self._daily(code, name), self._methods(code, name),
                  self._kbpp(code), self._completeness(code), self._reconciliation(code),
                  self._region_groups(code), self._findings_section(code), "</section>"]
        return "".join(parts)

    def _groups(self, code: str | None) -> str:
        groups = data.group_winners(self.con, self.year, code)
        where = LEVEL_WORDS["national" if code is None else "province"]
        if not groups:
            return ('<h3>Juara kelompok sasaran</h3>'
                    f'<p class="empty">Tidak ada kelompok sasaran {where} untuk {self.year}.</p>')
        parts = ["<h3>Juara kelompok sasaran</h3>"]
        for g in groups:
            note = (" (tiga terbaik provinsi ini dalam kelompok nasional; peringkat = peringkat nasional)"
                    if g["within_province"] else "")
            members = f"{g['members']} kabupaten/kota" + (" provinsi ini" if g["within_province"] else "")
            parts.append(f"<h4>{esc(g['group_name'])} · {members}{esc(note)}</h4>")
            if not g["winners"]:
                parts.append('<p class="empty">Tidak ada kabupaten/kota dalam kelompok ini.</p>')
                continue
            rows = [[_award(w["award_rank"], g["within_province"]), w["region_name"], w["province_name"] or "",
                     n(w["target"]), n(w["achieved"]), p(w["achievement_pct"], self.bands),
                     self._note(w["region_code"], w["quality_flags"], w["award_eligible"])] for w in g["winners"]]
            parts.append(table(["", "Kabupaten/kota", "Provinsi", ("Sasaran", True), ("Capaian", True),
                                ("Capaian %", True), "Catatan data"], rows, data_role="group-winners", keep=(1, 5)))
        return "".join(parts)

    def _fastest(self, code: str) -> str:
        rows = data.fastest(self.con, self.year, code)
        head = "<h3>Tercepat mencapai 100% sasaran</h3>"
        if not rows:
            return head + '<p class="empty">Belum ada data laporan harian fasilitas.</p>'
        body = [["-" if r["award_rank"] is None else str(r["award_rank"]), r["region_name"], n(r["target"]),
                 n(r["achieved"]), p(r["achievement_pct"], self.bands),
                 id_moment(r["reached_target_at"]) if r["reached_target_at"] else "belum mencapai",
                 self._note(r["region_code"], r["quality_flags"], r["award_eligible"])] for r in rows]
        return head + ('<p class="note">Dari laporan harian fasilitas: hari dan jam laporan yang membawa capaian '
                       "kumulatif ke 100%. Urutan hanya di antara yang layak juara (-: tidak layak juara).</p>"
                       ) + table(
            ["Urutan", "Kabupaten/kota", ("Sasaran", True), ("Capaian", True), ("Capaian %", True),
             "Mencapai 100% (WIB)", "Catatan data"], body, data_role=f"fastest-{code}", keep=(1, 4)
        ) + self._flag_legend(rows)

    def _daily(self, code: str | None, name: str) -> str:
        head = "<h3>Progres kumulatif harian</h3>"
        rows = data.daily_curves(self.con, self.year, code)
        if not rows:
            return head + '<p class="empty">Belum ada data laporan harian fasilitas.</p>'
        what = LEVEL_WORDS["province" if code is None else "regency"]
        label = self._facility_name(code, name)
        hourly = data.hourly_curves(self.con, self.year, code)  # a campaign of one day: its hours
        when = (f"per jam, {id_date(hourly[0]['report_date'])}" if hourly else "per hari")
        return head + self._partial_note(code, label, name) + self.page.chart(
            charts.progress_curves(self._relabel(hourly or rows, code, name),
                                   f"Capaian kumulatif {when}, {label} (biru) dan {what}nya (abu-abu; garis: 100%)",
                                   by_hour=bool(hourly)),
            f"Progres kumulatif {name}")

    def _partial_note(self, code: str | None, label: str, name: str) -> str:
        if label == name:
            return ""
        return (f'<p class="note" data-role="partial">Angka {esc(label)} di bagian ini dijumlah dari laporan '
                "harian fasilitas yang ada saja: bukan angka seluruh wilayah.</p>")

    def _methods(self, code: str | None, name: str) -> str:
        methods, rows = data.method_mix(self.con, self.year, code)
        head = "<h3>Bauran metode dan porsi MKJP</h3>"
        if not rows:
            return head + '<p class="empty">Rekap tidak memuat rincian metode.</p>'
        title = "Bauran metode per provinsi" if code is None else f"Bauran metode, {name}"
        return head + ('<p class="note">MKJP (metode kontrasepsi jangka panjang) = IUD/AKDR + implan + MOW + MOP; '
                       "porsi MKJP ada di tabel peringkat.</p>") + self.page.chart(
            charts.method_mix(rows, methods, title), title)

    def _kbpp(self, code: str | None) -> str:
        rows = data.kbpp(self.con, self.year, code)
        head = "<h3>KB pascapersalinan (KBPP)</h3>"
        if not rows:
            return head + '<p class="empty">Belum ada data laporan harian fasilitas.</p>'
        rows = self._relabel(rows, code, next(r["region_name"] for r in rows if r["level"] != "regency"))
        body = [[LEVELS.get(r["level"], r["level"]), r["region_name"], n(r["region_achieved"]), n(r["kbpp_achieved"]),
                 p(r["kbpp_share_pct"]), n(r["kbpp_target"]), p(r["kbpp_achievement_pct"], self.bands)] for r in rows]
        return head + table(["Tingkat", "Wilayah", ("Semua akseptor", True), ("Akseptor KBPP", True),
                             ("Porsi KBPP", True), ("Sasaran KBPP", True), ("Capaian KBPP %", True)], body,
                            data_role="kbpp", keep=(1, 6))

    def _completeness(self, code: str | None) -> str:
        rows = data.completeness(self.con, self.year, code)
        head = "<h3>Kelengkapan dan ketepatan waktu laporan</h3>"
        if not rows:
            return head + '<p class="empty">Belum ada data laporan harian fasilitas.</p>'
        what = LEVEL_WORDS["province" if code is None else "regency"].capitalize()
        body = [[r["region_name"] or r["region_code"], n(r["days"]), n(r["expected"]), n(r["reported"]),
                 p(r["reporting_rate_pct"]), n(r["on_time"]), p(r["on_time_rate_pct"])] for r in rows]
        return head + ('<p class="note">Seluruh hari kampanye: laporan fasilitas yang diharapkan '
                       "(fasilitas terdaftar × hari), yang masuk, dan yang masuk tepat waktu (batas waktu "
                       "dalam WIB). Acuan WHO: kelengkapan 90%, ketepatan 75%.</p>") + table(
            [what, ("Hari", True), ("Diharapkan", True), ("Masuk", True), ("Kelengkapan", True),
             ("Tepat waktu", True), ("Ketepatan", True)], body, data_role="completeness", keep=(0, 4))

    def _reconciliation(self, code: str | None) -> str:
        rows = data.reconciliation(self.con, self.year, code)
        head = "<h3>Selisih rekap dan laporan harian fasilitas</h3>"
        if not rows:
            return head + ('<p class="empty">Tidak ada selisih: rekap dan laporan harian fasilitas sama.</p>'
                           if data.has_daily_data(self.con, self.year, code) else
                           '<p class="empty">Belum ada data laporan harian fasilitas untuk dibandingkan.</p>')
        scope = next((r["region_name"] for r in rows if r["region_code"] == (code or "00")), None)
        rows = self._relabel(rows, code, scope) if scope else rows
        body = [[LEVELS.get(r["level"], r["level"]), r["region_name"], n(r["recap_achieved"]),
                 n(r["facility_achieved"]),
                 n(r["difference"]), p(r["difference_pct"])] for r in rows]
        return (head + table(
            ["Tingkat", "Wilayah", ("Rekap", True), ("Laporan fasilitas", True), ("Selisih", True),
             ("Selisih %", True)], body, data_role="reconciliation", keep=(1, 5)))

    def _region_groups(self, code: str | None) -> str:
        found = data.group_achievement(self.con, self.year, code)
        if found is None:
            return ""
        columns, rows = found
        head = ("<h3>Kelompok wilayah khusus (mis. daerah tertinggal) dibanding kabupaten/kota lainnya</h3>")
        if not rows:
            return head + '<p class="empty">Tidak ada kelompok wilayah untuk tahun ini.</p>'
        if REGION_GROUP_COLUMNS <= set(columns):
            body = []
            for r in rows:
                listed = r.get("group_regions")
                if listed == 0:
                    body.append([r["group_name"], Cell("tidak ada daftar untuk tahun ini", title="group_regions = 0")]
                                + [Cell("-", numeric=True)] * 7)
                    continue
                body.append([r["group_name"], n(r.get("regions")), n(r.get("target")), n(r.get("achieved")),
                             p(r["achievement_pct"], self.bands), p(r["mkjp_share_pct"]),
                             n(r.get("outside_regions")), p(r["outside_achievement_pct"], self.bands),
                             p(r["outside_mkjp_share_pct"])])
            return head + table(
                ["Kelompok", ("Kab/kota", True), ("Sasaran", True), ("Capaian", True), ("Capaian %", True),
                 ("Porsi MKJP", True), ("Kab/kota lainnya", True), ("Capaian % lainnya", True),
                 ("Porsi MKJP lainnya", True)], body, data_role="region-groups")
        body = [[_any_cell(c, r[c], self.bands) for c in columns] for r in rows]
        return head + table([(c, _is_number(rows[0][c])) for c in columns], body, data_role="region-groups")

    def _findings_section(self, code: str | None) -> str:
        """marts.data_quality_issues of the scope, as `kbetl quality` shows them: per check, the regions that
        failed it and the rows found; then the rows, those of a flagged region first."""
        head = "<h3>Temuan kualitas data</h3>"
        issues = data.quality_issues(self.con, self.year, code)
        if not issues:
            return head + '<p class="empty">Tidak ada temuan kualitas data.</p>'
        counts: dict[str, list] = {}
        for i in issues:
            entry = counts.setdefault(i["title_id"], [set(), 0])
            entry[0].update([i["region_code"]] if i["flagged"] else [])
            entry[1] += 1
        summary = table(["Pemeriksaan", ("Wilayah tidak lolos", True), ("Temuan", True)],
                        [[title, n(len(regions)), n(rows)] for title, (regions, rows) in sorted(counts.items())],
                        data_role="findings-summary")
        body = [[i["title_id"], i["region_name"] or i["region_code"] or "", i["subject"] or "",
                 "tidak lolos" if i["flagged"] else "belum menandai wilayah", i["message"]]
                for i in issues[:MAX_FINDINGS]]
        parts = [head, '<p class="note">Dari pemeriksaan kualitas data (sama dengan <code>kbetl quality --year '
                 f"{self.year}</code>); wilayah yang tidak lolos ditandai ⚠ di tabel peringkat.</p>", summary,
                 table(["Pemeriksaan", "Wilayah", "Rincian", "Status", "Keterangan"], body, data_role="findings",
                       keep=(1,))]
        if len(issues) > MAX_FINDINGS:
            parts.append(f'<p class="note">… dan {len(issues) - MAX_FINDINGS} temuan lainnya.</p>')
        return "".join(parts)


def _award(award_rank: int | None, within_province: bool) -> str:
    """'Juara 1' (or, within a province, 'Peringkat 4' in the national group); '-' when not eligible."""
    if award_rank is None:
        return f"- ({NOT_ELIGIBLE})"
    return f"Peringkat {award_rank}" if within_province else f"Juara {award_rank}"


def _is_number(value) -> bool:
    from decimal import Decimal

    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _any_cell(column: str, value, bands) -> Cell | str:
    """A cell of a table whose columns the report does not know in advance (marts.group_achievement)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if _is_number(value):
        if column.endswith("_pct"):
            return p(value, bands if "achievement" in column else None)
        return n(int(value)) if float(value).is_integer() else Cell(pct(value).removesuffix("%"), numeric=True)
    return str(value)
