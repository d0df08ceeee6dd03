"""The campaign report: one self-contained HTML file (Bahasa Indonesia) of a PSA campaign year, national
with a section per province, or one province alone. It opens from disk or an attachment with no
network: style, chart library and data are all inside the file.

Reads the published analyst database only (marts and ref, read-only) and, when given, the working
database's audit.findings (read-only) for the cross-check findings.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from kbetl.reports import report_charts as charts
from kbetl.reports import report_data as data
from kbetl.reports.report_data import DEFAULT_BANDS, WIB, Band, id_date, id_moment_wib
from kbetl.reports.report_html import Cell, Page, esc, legend, n, num, p, pct, table

CHECK_LABELS = {
    "methods_vs_total": "Jumlah metode tidak sama dengan kolom total",
    "stated_pct": "Persen tertulis tidak sama dengan capaian ÷ sasaran",
    "implausible_achievement": "Capaian tidak wajar (periksa salah ketik)",
    "total_row_vs_rows": "Baris jumlah tidak sama dengan jumlah baris wilayah",
    "missing_regions": "Kabupaten/kota tidak ada di rekap",
}
LEVELS = {"national": "Nasional", "province": "Provinsi", "regency": "Kab/kota"}
MAX_FINDINGS = 200
# marts.group_achievement (a group's kabupaten/kota against the rest); another shape is shown column by column
REGION_GROUP_COLUMNS = {"group_name", "achievement_pct", "mkjp_share_pct", "outside_achievement_pct",
                        "outside_mkjp_share_pct"}


def default_report_path(published_db_path: Path, year: int, province_code: str | None = None) -> Path:
    """Beside the published database: laporan-psa-2024.html, laporan-psa-2024-63.html."""
    suffix = f"-{province_code}" if province_code else ""
    return Path(published_db_path).with_name(f"laporan-psa-{year}{suffix}.html")


def write_campaign_report(published_db_path: str | Path, year: int, province: str | None = None,
                          out: str | Path | None = None, *, working_db_path: str | Path | None = None,
                          bands: Sequence[Band] = DEFAULT_BANDS) -> Path:
    """Writes the report of `year` (nationally, or for `province`: a code or a name) and returns its path.

    `bands` colour achievement (default ≥ 100% green, 80–99,99% yellow, < 80% red). Without
    `working_db_path` the findings section says the findings are not available.
    """
    published_db_path = Path(published_db_path)
    if not published_db_path.exists():
        raise FileNotFoundError(f"no published database at {published_db_path}")
    if out is not None and Path(out).is_dir():
        raise ValueError(f"--out {out} adalah folder: berikan nama berkas HTML, misalnya {Path(out) / 'laporan.html'}.")
    bands = tuple(bands)
    con = duckdb.connect(str(published_db_path), read_only=True)
    try:
        found = _findings(con, working_db_path, year)
        report = _Report(con, year, bands, found, published_db_path.name)
        if province is None:
            code, text = None, report.national()
        else:
            chosen = data.resolve_province(con, year, province)
            code, text = chosen["code"], report.province_only(chosen)
    finally:
        con.close()
    target = Path(out) if out else default_report_path(published_db_path, year, code)
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ValueError(f"Laporan tidak dapat ditulis ke {target} ({exc.strerror}): pilih --out yang lain.") from None
    return target


def _findings(con: duckdb.DuckDBPyConnection, working_db_path, year: int) -> list[dict] | str:
    """The findings of the year's current recap files, or why they cannot be shown."""
    if working_db_path is None:
        return "tidak tersedia (basis data kerja tidak diberikan)"
    if not Path(working_db_path).exists():
        return "tidak tersedia (basis data kerja tidak ditemukan)"
    try:
        working = duckdb.connect(str(working_db_path), read_only=True)
    except duckdb.Error:
        return "tidak tersedia (basis data kerja sedang dipakai)"
    try:
        return data.findings(working, year, data.current_recap_files(con, year))
    finally:
        working.close()


class _Report:
    def __init__(self, con, year: int, bands: tuple[Band, ...], findings: list[dict] | str, source_name: str):
        self.con, self.year, self.bands, self.findings, self.source_name = con, year, bands, findings, source_name
        self.campaign = data.campaign(con, year) or {}
        self.page: Page | None = None

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
            first_day = datetime.fromisoformat(first).date()
            last_day = datetime.fromisoformat(last).date() if last else first_day
            days = (id_date(first_day) if last_day == first_day
                    else f"{id_date(first_day)} – {id_date(last_day)}")
        parts = (f"Harganas ke-{edition}" if edition else "", f"hari pelayanan {days}" if days else "")
        sub = " · ".join(x for x in parts if x)
        return (f"<header><h1>Pelayanan KB Serentak Sejuta Akseptor (PSA) {self.year} — {esc(scope)}</h1>"
                f'<p class="meta">{esc(sub)}</p></header>')

    def _footer(self) -> str:
        made = datetime.now(WIB)
        return (f'<footer><p class="note">Dibuat {esc(id_date(made.date()))} pukul {made:%H.%M} WIB dari basis data '
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
                 Cell(f"{r['regencies_at_target']} dari {r['regencies_ranked']}", numeric=True)] for r in league]
        total = None
        if nation:
            total = ["", "00", "Indonesia", n(nation["target"]), n(nation["achieved"]),
                     p(nation["achievement_pct"], self.bands), p(nation["mkjp_share_pct"]),
                     Cell(f"{at_target} dari {ranked}", numeric=True)]
        parts.append("<h3>Peringkat provinsi</h3>")
        parts.append('<div class="side">' + table(
            ["Peringkat", "Kode", "Provinsi", ("Sasaran", True), ("Capaian", True), ("Capaian %", True),
             ("Porsi MKJP", True), ("Kab/kota ≥ 100%", True)], rows, total, data_role="national-league")
            + legend(self.bands) + "</div>")
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

    def _stats(self, total: dict | None, at_target: int, ranked: int) -> str:
        if not total:
            return '<p class="empty">Belum ada angka capaian.</p>'
        return ('<div class="side">'
                f'<div><div class="stat">{esc(pct(total["achievement_pct"]))}</div>capaian '
                f'({esc(num(total["achieved"]))} dari sasaran {esc(num(total["target"]))})</div>'
                f'<div><div class="stat" data-role="regencies-at-target">{at_target} <small>dari {ranked}</small></div>'
                "kabupaten/kota mencapai ≥ 100%</div>"
                f'<div><div class="stat">{esc(pct(total["mkjp_share_pct"]))}</div>porsi MKJP</div></div>')

    def _history(self) -> str:
        years, rows = data.province_history(self.con, self.year)
        if len(years) < 1:
            return ""
        body = []
        for r in rows:
            name = r["name"] + (" (peta 34 provinsi, sebelum pemekaran 2022)" if r["former"] else "")
            body.append([name] + [p(r["pct"].get(y), self.bands) for y in years])
        return (f"<h3>Capaian per tahun, {years[0]}–{years[-1]}</h3>"
                '<p class="note">Provinsi menurut peta tahun ' f"{self.year}; tahun sebelumnya lewat kode wilayah "
                "saat ini.</p>"
                '<div class="side">' + table(["Provinsi"] + [(str(y), True) for y in years], body, css="heat",
                                             data_role="history") + legend(self.bands) + "</div>")

    # ---- a province --------------------------------------------------------------------------------
    def _province_section(self, province: dict) -> str:
        year, con, code, name = self.year, self.con, province["code"], province["name"]
        total = data.region_total(con, year, code)
        at_target, ranked = data.regencies_at_target(con, year, code)
        league = data.regency_league(con, year, code)
        parts = [f'<section class="province" id="prov-{esc(code)}"><h2>Provinsi {esc(name)}</h2>',
                 self._stats(total, at_target, ranked), "<h3>Peringkat kabupaten/kota</h3>"]
        rows = [[str(r["rank"]), r["region_code"], r["region_name"], n(r["target"]), n(r["achieved"]),
                 p(r["achievement_pct"], self.bands), p(r["mkjp_share_pct"])] for r in league]
        tot = None
        if total:
            tot = ["", code, name, n(total["target"]), n(total["achieved"]), p(total["achievement_pct"], self.bands),
                   p(total["mkjp_share_pct"])]
        if rows:
            parts.append('<div class="side">' + table(
                ["Peringkat", "Kode", "Kabupaten/kota", ("Sasaran", True), ("Capaian", True), ("Capaian %", True),
                 ("Porsi MKJP", True)], rows, tot, data_role=f"regency-league-{code}") + legend(self.bands) + "</div>")
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
        where = "nasional" if code is None else "provinsi"
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
            rows = [[f"Juara {w['rank']}" if not g["within_province"] else f"Peringkat {w['rank']}",
                     w["region_name"], w["province_name"] or "", n(w["target"]), n(w["achieved"]),
                     p(w["achievement_pct"], self.bands)] for w in g["winners"]]
            parts.append(table(["", "Kabupaten/kota", "Provinsi", ("Sasaran", True), ("Capaian", True),
                                ("Capaian %", True)], rows, data_role="group-winners"))
        return "".join(parts)

    def _fastest(self, code: str) -> str:
        rows = data.fastest(self.con, self.year, code)
        head = "<h3>Tercepat mencapai 100% sasaran</h3>"
        if not rows:
            return head + '<p class="empty">Belum ada data laporan harian fasilitas.</p>'
        body = [[str(r["rank"]), r["region_name"], n(r["target"]), n(r["achieved"]),
                 p(r["achievement_pct"], self.bands),
                 id_moment_wib(r["reached_target_at"]) if r["reached_target_at"] else "belum mencapai"] for r in rows]
        return head + ('<p class="note">Dari laporan harian fasilitas: hari dan jam laporan yang membawa capaian '
                       "kumulatif ke 100%.</p>") + table(
            ["Urutan", "Kabupaten/kota", ("Sasaran", True), ("Capaian", True), ("Capaian %", True),
             "Mencapai 100% (WIB)"], body, data_role=f"fastest-{code}")

    def _daily(self, code: str | None, name: str) -> str:
        head = "<h3>Progres kumulatif harian</h3>"
        rows = data.daily_curves(self.con, self.year, code)
        if not rows:
            return head + '<p class="empty">Belum ada data laporan harian fasilitas.</p>'
        what = "provinsi" if code is None else "kabupaten/kota"
        return head + self.page.chart(
            charts.progress_curves(rows, f"Capaian kumulatif per hari, {name} dan {what}nya (garis: 100%)"),
            f"Progres kumulatif {name}")

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
        body = [[LEVELS.get(r["level"], r["level"]), r["region_name"], n(r["region_achieved"]), n(r["kbpp_achieved"]),
                 p(r["kbpp_share_pct"]), n(r["kbpp_target"]), p(r["kbpp_achievement_pct"], self.bands)] for r in rows]
        return head + table(["Tingkat", "Wilayah", ("Semua akseptor", True), ("Akseptor KBPP", True),
                             ("Porsi KBPP", True), ("Sasaran KBPP", True), ("Capaian KBPP %", True)], body,
                            data_role="kbpp")

    def _completeness(self, code: str | None) -> str:
        rows = data.completeness(self.con, self.year, code)
        head = "<h3>Kelengkapan dan ketepatan waktu laporan</h3>"
        if not rows:
            return head + '<p class="empty">Belum ada data laporan harian fasilitas.</p>'
        what = "Provinsi" if code is None else "Kabupaten/kota"
        body = [[r["region_name"] or r["region_code"], n(r["days"]), n(r["expected"]), n(r["reported"]),
                 p(r["reporting_rate_pct"]), n(r["on_time"]), p(r["on_time_rate_pct"])] for r in rows]
        return head + ('<p class="note">Seluruh hari kampanye: laporan fasilitas yang diharapkan '
                       "(fasilitas terdaftar × hari), yang masuk, dan yang masuk tepat waktu (batas waktu "
                       "dalam WIB). Acuan WHO: kelengkapan 90%, ketepatan 75%.</p>") + table(
            [what, ("Hari", True), ("Diharapkan", True), ("Masuk", True), ("Kelengkapan", True),
             ("Tepat waktu", True), ("Ketepatan", True)], body, data_role="completeness")

    def _reconciliation(self, code: str | None) -> str:
        rows = data.reconciliation(self.con, self.year, code)
        if not rows:
            return ""
        body = [[LEVELS.get(r["level"], r["level"]), r["region_name"], n(r["recap_achieved"]),
                 n(r["facility_achieved"]),
                 n(r["difference"]), p(r["difference_pct"])] for r in rows]
        return ("<h3>Selisih rekap dan laporan harian fasilitas</h3>" + table(
            ["Tingkat", "Wilayah", ("Rekap", True), ("Laporan fasilitas", True), ("Selisih", True),
             ("Selisih %", True)], body, data_role="reconciliation"))

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
        head = "<h3>Temuan pemeriksaan silang</h3>"
        if isinstance(self.findings, str):
            return head + f'<p class="empty">Temuan pemeriksaan silang: {esc(self.findings)}.</p>'
        if code is None:
            counts: dict[str, int] = {}
            for f in self.findings:
                counts[f["check_name"]] = counts.get(f["check_name"], 0) + 1
            summary = table(["Pemeriksaan", ("Temuan", True)],
                            [[CHECK_LABELS.get(k, k), n(v)] for k, v in sorted(counts.items())],
                            data_role="findings-summary") if counts else ""
            mine = [f for f in self.findings if f["scope_code"] == "00"]
            intro = "Temuan pada rekap nasional (temuan rekap provinsi ada di bagian provinsinya)."
        else:
            summary = ""
            mine = [f for f in self.findings
                    if f["scope_code"] == code or (f["region_code"] or "").startswith(code)]
            intro = "Temuan pada rekap yang berlaku yang menyangkut provinsi ini."
        if not self.findings:
            return head + '<p class="empty">Tidak ada temuan pada rekap yang berlaku.</p>'
        parts = [head, summary, f'<p class="note">{esc(intro)}</p>']
        if not mine:
            parts.append('<p class="empty">Tidak ada temuan.</p>')
            return "".join(parts)
        body = [[CHECK_LABELS.get(f["check_name"], f["check_name"]), f["file_name"],
                 "-" if f["source_row"] is None else str(f["source_row"]), f["region_code"] or "",
                 _finding_number(f["expected"], f["check_name"]), _finding_number(f["actual"], f["check_name"]),
                 f["message"]]
                for f in mine[:MAX_FINDINGS]]
        parts.append(table(["Pemeriksaan", "Berkas", ("Baris", True), "Kode wilayah", ("Seharusnya", True),
                            ("Tertulis", True), "Keterangan (asli)"], body, data_role="findings"))
        if len(mine) > MAX_FINDINGS:
            parts.append(f'<p class="note">… dan {len(mine) - MAX_FINDINGS} temuan lainnya.</p>')
        return "".join(parts)


def _finding_number(value, check_name: str) -> Cell:
    if value is None:
        return Cell("-", numeric=True)
    if check_name != "stated_pct" and float(value).is_integer():
        return n(int(value))
    return p(value)


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
