"""`kbetl explain`: where a region's figures of a campaign year come from, in Bahasa Indonesia — what an office
needs when an award is disputed. The figures and the file, sheet, row and version behind them; every version of
the recaps that list the region (the parent's recap) or total it (its own), and what each said for it; the
quality checks it fails and their findings; the sum of its children and of its facilities' daily reports.

Reads the published analyst database (marts, ref). What superseded versions said and the sheet of a workbook are
only in the working database (staging.recap_rows, raw.landed_files): read-only when it can be opened; when not
(a run is writing it), the text says so and gives the rest."""

import io
import zipfile
from pathlib import Path
from typing import NamedTuple

import duckdb
from defusedxml import ElementTree

from kbetl.quality.scorecard import DIMENSIONS
from kbetl.reference.indonesian import CHILD_LEVEL, LEVEL_WORDS, id_date_time, id_number, id_pct
from kbetl.reference.names import RegionNotResolved, matcher_for, split_kind
from kbetl.warehouse.database import WarehouseError, connect

FIGURES_FROM = {
    "reported": "baris wilayah ini",
    "total_row": "baris jumlah rekapnya sendiri",
    "previous_version": ("baris wilayah ini pada versi sebelumnya (versi yang berlaku tidak memuatnya atau "
                         "mengarantinanya)"),
}
SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class NothingToExplain(ValueError):
    """A region or year the published database has nothing on; its message is one sentence."""


class Region(NamedTuple):
    """A region as ref.regions has it."""

    code: str
    name: str
    level: str
    parent_code: str | None


def explain_region(analyst: Path, working: Path | None, year: int, region: str) -> str:
    if not analyst.exists():
        raise NothingToExplain(f"basis data terbitan {analyst} tidak ada: jalankan `kbetl ingest` atau `kbetl pull` "
                               f"lebih dulu")
    con = connect(analyst, read_only=True)
    try:
        found = resolve_region(con, year, region)
        work, unavailable = _open_working(working)
        try:
            return explain_text(con, work, year, found, unavailable)
        finally:
            if work is not None:
                work.close()
    finally:
        con.close()


def resolve_region(con: duckdb.DuckDBPyConnection, year: int, text: str) -> Region:
    """A code of any level on the year's map, or a name: a province's name is the province ("Bengkulu"), else a
    kabupaten/kota's ("Kota Bengkulu", "Seluma"), refused with candidates when several fit."""
    found = con.execute("select region_map from ref.campaigns where campaign_year = ?", [year]).fetchone()
    if found is None:
        raise NothingToExplain(f"tidak ada kampanye PSA tahun {year} di basis data terbitan")
    map_version, text = found[0], text.strip()
    if not text.isdigit():
        text = _code_of_name(map_version, year, text)
    row = con.execute("select region_code, region_name, level, parent_code from ref.regions "
                      "where map_version = ? and region_code = ?", [map_version, text]).fetchone()
    if row is None and text == "00":
        row = ("00", "Indonesia", "national", None)
    if row is None:
        raise NothingToExplain(f"kode wilayah {text} tidak ada pada peta {map_version} (tahun {year})")
    return Region(*row)


def _code_of_name(map_version: str, year: int, name: str) -> str:
    try:
        if split_kind(name)[0] is not None:  # "Kab. …", "Kota …": never the province of the same name
            raise RegionNotResolved(name, "bukan nama provinsi", [])
        return matcher_for(map_version, "province").resolve(name).code
    except RegionNotResolved as not_a_province:
        try:
            return matcher_for(map_version, "regency").resolve(name).code
        except RegionNotResolved as exc:
            if exc.ambiguous:
                raise NothingToExplain(f"{exc}; beri kodenya") from None
            closest = ", ".join(not_a_province.candidates[:2] + exc.candidates[:3])
            raise NothingToExplain(f"nama wilayah {name!r} tidak cocok dengan provinsi atau kabupaten/kota mana pun "
                                   f"pada peta {map_version} (tahun {year}); yang paling mirip: {closest}") from None


def explain_text(con: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection | None, year: int,
                 region: Region, unavailable: str | None = None) -> str:
    figures = _one(con, "select * from marts.achievement where campaign_year = ? and region_code = ?",
                   [year, region.code])
    failing = _failing_checks(con, year, region.code)
    if figures is None and not failing:
        raise NothingToExplain(f"tidak ada angka PSA {year} untuk {region.name} ({region.code}) di basis data "
                               f"terbitan")
    lines = [f"Asal angka PSA {year}: {region.name} ({region.code}), {LEVEL_WORDS[region.level]}", ""]
    lines += _figures(con, work, figures) if figures else ["Angka capaian: tidak ada di marts.achievement."]
    lines += _children(con, year, region, figures)
    lines += _versions(con, work, year, region, figures, unavailable)
    lines += _facilities(con, year, region.code)
    lines += _quality(con, year, region.code, failing)
    return "\n".join(lines)


# --- the figures and where they come from -------------------------------------------------------------------

def _figures(con, work, f: dict) -> list[str]:
    lines = ["Angka yang berlaku (marts.achievement):",
             f"  sasaran {id_number(f['target'])}; capaian {id_number(f['achieved'])} ({_pct(f['achievement_pct'])}); "
             f"MKJP {id_number(f['mkjp_achieved'])} ({_pct(f['mkjp_share_pct'])})"]
    if f["source_file"] is None:
        child = LEVEL_WORDS[CHILD_LEVEL.get(f["level"], "district")]
        partial = "; sebagian saja, jadi batas bawah" if f["is_partial"] else ""
        lines.append(f"  dijumlahkan dari {id_number(f['children_reported'])} dari {id_number(f['children_expected'])} "
                     f"{child} yang melapor{partial}")
    else:
        submitted = con.execute(
            "select version, is_current, scope_code, scope_name from marts.recap_files where file_sha256 = ? "
            "and campaign_year = ? order by version limit 1", [f["source_file_sha256"], f["campaign_year"]]).fetchone()
        how = FIGURES_FROM.get(f["figures_from"], f["figures_from"])
        where = f"{f['source_file']}, {_sheet(work, f['source_file_sha256'])}, baris {f['source_row']} ({how})"
        lines.append(f"  sumber: {where}")
        if submitted:
            version, current, scope_code, scope_name = submitted
            lines.append(f"  berkas itu: {_scope_words(scope_code, scope_name)} {f['campaign_year']}, versi "
                         f"{id_number(version)}, {'berlaku' if current else 'sudah digantikan'}; SHA-256 "
                         f"{f['source_file_sha256'][:16]}…")
    return lines


def _children(con, year: int, region: Region, figures: dict | None) -> list[str]:
    """The sum of the region's children beside its own figure (a recap and the rows under it can disagree)."""
    child = CHILD_LEVEL.get(region.level)
    if child is None or (figures and figures["source_file"] is None):
        return []
    count, target, achieved = con.execute(
        "select count(*), sum(target), sum(achieved) from marts.achievement "
        "where campaign_year = ? and level = ? and parent_code = ?", [year, child, region.code]).fetchone()
    if not count:
        return []
    return ["", f"Jumlah {id_number(count)} {LEVEL_WORDS[child]} di bawahnya (marts.achievement): "
                f"sasaran {id_number(target)}; capaian {id_number(achieved)} ({_pct(_ratio(achieved, target))})"]


def _versions(con, work, year: int, region: Region, figures: dict | None, unavailable: str | None) -> list[str]:
    """Every version of the recaps that list the region as a row (its parent's) or total it (its own)."""
    scopes = [s for s in (region.parent_code or ("" if region.code == "00" else "00"), region.code) if s]
    files = con.execute(
        "select scope_code, scope_name, file_name, file_sha256, version, is_current, loaded_at, rows_accepted, "
        "rows_quarantined from marts.recap_files where campaign_year = ? and report_kind = 'psa' "
        "and list_contains(?, scope_code) order by scope_code = ?, version nulls first, loaded_at",
        [year, scopes, region.code]).fetchall()
    if not files:
        return ["", "Tidak ada rekap yang memuat wilayah ini."]
    used = figures["source_file_sha256"] if figures else None
    lines = []
    for scope in dict.fromkeys(f[0] for f in files):
        versions = [f for f in files if f[0] == scope]
        role = "baris wilayah ini" if scope != region.code else "baris jumlahnya"
        lines += ["", f"Versi {_scope_words(scope, versions[0][1])} {year} ({role}):"]
        for _, _, name, sha, version, current, loaded_at, accepted, quarantined in versions:
            state = "berlaku" if current else "digantikan"
            mark = "  ← angka yang dipakai" if sha == used else ""
            lines.append(f"  versi {id_number(version) if version else '-'}: {name} ({state}), dimuat "
                         f"{id_date_time(loaded_at)} WIB, {id_number(accepted)} baris diterima, "
                         f"{id_number(quarantined)} dikarantina{mark}")
            said = _said(work, sha, region.code, year, total=scope == region.code, unavailable=unavailable)
            lines.append(f"    {said}")
    return lines


def _said(work, sha: str, code: str, year: int, total: bool, unavailable: str | None) -> str:
    """What one file said for the region: its row (or its total row), from the working database."""
    if work is None:
        return f"isinya tidak dapat dibaca: {unavailable}"
    row = work.execute(
        "select source_row, target, achieved from staging.recap_rows where file_sha256 = ? and region_code = ? "
        "and is_total_row = ? and coalesce(report_year, ?) = ? order by source_row limit 1",
        [sha, code, total, year, year]).fetchone()
    if row is None:
        return "tidak memuat angka wilayah ini"
    source_row, target, achieved = row
    return (f"{_sheet(work, sha)}, baris {source_row}: sasaran {id_number(target)}; capaian {id_number(achieved)} "
            f"({_pct(_ratio(achieved, target))})")


def _facilities(con, year: int, code: str) -> list[str]:
    row = _one(con, "select * from marts.reconciliation where campaign_year = ? and region_code = ?", [year, code])
    if row is None:
        return ["", "Laporan harian faskes (marts.reconciliation): tidak ada untuk wilayah ini."]
    return ["", "Laporan harian faskes (marts.reconciliation):",
            f"  rekap {id_number(row['recap_achieved'])}; jumlah laporan faskes {id_number(row['facility_achieved'])}; "
            f"selisih {id_number(row['difference'])} ({_pct(row['difference_pct'])})"]


# --- quality checks and findings ----------------------------------------------------------------------------

def _failing_checks(con, year: int, code: str) -> list[tuple]:
    return con.execute(
        """select d.check_name, c.title_id, d.dimension, d.offending_rows
           from marts.data_quality as d join ref.quality_checks as c using (check_name)
           where d.campaign_year = ? and d.region_code = ? and not d.passed
           order by d.dimension, c.title_id""", [year, code]).fetchall()


def _quality(con, year: int, code: str, failing: list[tuple]) -> list[str]:
    lines = ["", "Pemeriksaan kualitas yang tidak lolos (marts.data_quality):"]
    lines += [f"  - {title} ({DIMENSIONS.get(dimension, dimension)}): {id_number(rows)} baris bermasalah"
              for _, title, dimension, rows in failing] or ["  - tidak ada"]
    issues = con.execute(
        """select c.title_id, i.subject, i.message
           from marts.data_quality_issues as i join ref.quality_checks as c using (check_name)
           where i.campaign_year = ? and i.region_code = ?
           order by i.dimension, c.title_id, i.subject""", [year, code]).fetchall()
    lines += ["", "Temuan (marts.data_quality_issues):"]
    lines += [f"  - {title}{f' [{subject}]' if subject else ''}: {message}" for title, subject, message in issues] \
        or ["  - tidak ada"]
    return lines


# --- helpers ------------------------------------------------------------------------------------------------

def _open_working(working: Path | None) -> tuple[duckdb.DuckDBPyConnection | None, str | None]:
    if working is None or not working.exists():
        return None, f"basis data kerja {working} tidak ada"
    try:
        return connect(working, read_only=True), None
    except (WarehouseError, duckdb.Error) as exc:
        return None, str(exc)


def _sheet(work, sha: str) -> str:
    """'lembar NAME' of a workbook (the first sheet, the one recaps are read from); a CSV has none."""
    if work is None:
        return "lembar tidak diketahui"
    row = work.execute("select content from raw.landed_files where file_sha256 = ? limit 1", [sha]).fetchone()
    if row is None or not zipfile.is_zipfile(io.BytesIO(row[0])):
        return "CSV tanpa lembar"
    with zipfile.ZipFile(io.BytesIO(row[0])) as book:
        sheets = ElementTree.fromstring(book.read("xl/workbook.xml")).iter(f"{SPREADSHEET_NS}sheet")
        first = next(sheets, None)
    return f"lembar {first.get('name')!r}" if first is not None else "lembar tidak diketahui"


def _scope_words(scope_code: str, scope_name: str) -> str:
    return "rekap nasional" if scope_code == "00" else f"rekap {scope_name} ({scope_code})"


def _one(con, sql: str, params: list) -> dict | None:
    cursor = con.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def _ratio(part, whole) -> float | None:
    return round(part * 100 / whole, 2) if part is not None and whole else None


def _pct(value) -> str:
    return "-" if value is None else f"{id_pct(value)}%"
