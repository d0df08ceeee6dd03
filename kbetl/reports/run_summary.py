"""Summaries of a run: one line per run for the terminal or log, the nightly run's markdown artifact."""

import duckdb

from kbetl.reports.flags import quality_notes
from kbetl.reports.numbers import id_number, id_pct
from kbetl.runs import IngestSummary, PullSummary

# a run's status (audit.runs.status, a code) as the summary line says it
STATUS_WORDS = {"running": "berjalan", "succeeded": "berhasil", "dead": "terhenti",
                "succeeded_with_refused_files": "berhasil, dengan berkas yang ditolak", "failed": "gagal"}
# the recap cross-checks (audit.findings.check_name) as people read them
RECAP_FINDINGS = {
    "methods_vs_total": "Jumlah metode tidak sama dengan kolom total",
    "stated_pct": "Persen tertulis tidak sama dengan capaian ÷ sasaran",
    "implausible_achievement": "Capaian tidak wajar (periksa salah ketik)",
    "total_row_vs_rows": "Baris jumlah tidak sama dengan jumlah baris wilayah",
    "missing_regions": "Kabupaten/kota tidak ada di rekap",
    "code_vs_name": "Kode wilayah tidak cocok dengan namanya",
    "code_unknown": "Kode wilayah tidak dikenal",
}


def ingest_summary(summary: IngestSummary) -> str:
    """The ingest run's line, in Bahasa Indonesia, with one line per refused file (its reason names it)."""
    loaded = [r for r in summary.results if r.status == "loaded"]
    unchanged = len(summary.results) - len(loaded)
    status = STATUS_WORDS.get(summary.status, summary.status)
    if summary.kept:
        status += ", tetapi ada wilayah yang perlu diperiksa"
    lines = [f"proses {summary.run_id}: {status}; {id_number(len(loaded))} berkas dimuat, {id_number(unchanged)} "
             f"tidak berubah, {id_number(len(summary.refused))} ditolak; "
             f"{id_number(sum(r.rows_accepted for r in loaded))} baris diterima, "
             f"{id_number(sum(r.rows_quarantined for r in loaded))} dikarantina, "
             f"{id_number(sum(r.findings for r in loaded))} temuan"]
    lines += [f"  ditolak: {item.refused}" for item in summary.refused]
    for result in summary.results:
        unread = ([f"{id_number(result.unused_columns)} kolom tidak dipakai"] if result.unused_columns else []) + \
            ([f"{id_number(len(result.years_skipped))} tahun dilewati ({', '.join(map(str, result.years_skipped))})"]
             if result.years_skipped else [])
        if unread:
            lines.append(f"  {result.file_name!r}: {', '.join(unread)} (kbetl validate menyebutkannya)")
        lines += [f"  {result.file_name!r}: {sentence}" for sentence in (*result.kept, *result.dropped)]
    if summary.kept:
        lines.append("  perbaiki baris itu lalu kirim ulang berkas; bila wilayah itu memang tidak lagi dilaporkan, "
                     "muat berkas dengan --replace")
    return "\n".join(lines)


def pull_summary(summary: PullSummary) -> str:
    """The pull run's line, in Bahasa Indonesia, with one line per failed province."""
    ok = [p for p in summary.pulls if p.status != "failed"]
    lines = [f"proses {summary.run_id}: {id_number(len(ok))} provinsi ditarik, {id_number(len(summary.failed))} "
             f"gagal; {id_number(sum(p.records_in for p in ok))} catatan diterima, {id_number(summary.new_records)} "
             f"baru, {id_number(sum(p.records_rejected for p in ok))} ditolak"]
    lines += [f"  GAGAL provinsi {p.province_code}: {p.error}" for p in summary.failed]
    return "\n".join(lines)


def run_summary_markdown(published: duckdb.DuckDBPyConnection, working: duckdb.DuckDBPyConnection,
                         run_ids: list[str], year: int | None) -> str:
    """The nightly run's artifact, in Bahasa Indonesia: league table top and bottom (a flagged province with
    the titles of its failing data-quality checks), rejected rows by reason, the run's recap findings."""
    lines = [f"# Proses malam kbetl {', '.join(run_ids) or '(tidak ada yang ditarik)'}", ""]
    if year is not None:
        notes = quality_notes(published, year)
        league = published.execute(
            "select position, region_name, achievement_pct, achieved, target, quality_flags, award_eligible "
            "from marts.ranking where ranking = 'national' and campaign_year = ? order by position", [year]).fetchall()
        if league:
            lines += [f"## Peringkat nasional {year}: teratas dan terbawah", "",
                      "| # | provinsi | % | capaian | sasaran | catatan data |", "|---|---|---|---|---|---|"]
            shown = league if len(league) <= 10 else [*league[:5], None, *league[-5:]]
            lines += ["| … | | | | | |" if r is None else
                      f"| {r[0]} | {r[1]} | {id_pct(r[2])} | {id_number(r[3])} | {id_number(r[4])} | "
                      f"{notes.mark(r[5], r[6])} |" for r in shown]
            flagged = [r for r in league if r[5] and r not in shown]
            lines += [f"- juga ditandai: {r[1]} (#{r[0]}) {notes.mark(r[5], r[6])}" for r in flagged]
            lines.append("")
    rejected = working.execute(
        "select check_name, column_name, count(*) from audit.quarantine where run_id in ? "
        "group by all order by 3 desc", [run_ids or [""]]).fetchall()
    lines += ["## Baris ditolak menurut alasan", ""]
    lines += [f"- {check} ({column}): {id_number(count)}" for check, column, count in rejected] or ["- tidak ada"]
    findings = working.execute(
        "select check_name, count(*) from audit.findings where run_id in ? group by all order by 2 desc",
        [run_ids or [""]]).fetchall()
    lines += ["", "## Temuan pemeriksaan silang rekap", ""]
    lines += [f"- {RECAP_FINDINGS.get(check, 'pemeriksaan silang rekap')}: {id_number(count)}"
              for check, count in findings] or ["- tidak ada"]
    return "\n".join(lines) + "\n"
