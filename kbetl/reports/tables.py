"""Text tables for a terminal: the national league table, the fastest kabupaten/kota to 100%. A flagged row
carries the titles of its failing data-quality checks; a region whose doubt blocks awards keeps its rank
in the league but gets no place in the fastest-to-100% list (award_rank)."""

import duckdb

from kbetl.reference.indonesian import LEVEL_WORDS, id_number, id_pct
from kbetl.reports.flags import NOT_ELIGIBLE, partial_label, quality_notes


class NoRanking(ValueError):
    """No national ranking for the year in the published database (the message is for people)."""


def league_table(con: duckdb.DuckDBPyConnection, year: int | None = None) -> str:
    if year is None:
        year = con.execute("select max(campaign_year) from marts.ranking where ranking = 'national'").fetchall()[0][0]
    rows = con.execute(
        """select rank, region_code, region_name, target, achieved, achievement_pct, quality_flags, award_eligible
           from marts.ranking where ranking = 'national' and campaign_year = ? order by position""",
        [year]).fetchall()
    nation = con.execute(
        "select target, achieved, achievement_pct, children_reported, children_expected from marts.achievement "
        "where campaign_year = ? and level = 'national'",
        [year]).fetchall()
    if not rows or not nation:
        raise NoRanking(f"Belum ada peringkat nasional{f' PSA {year}' if year else ''} di basis data terbit: "
                        "masukkan rekap nasional atau rekap provinsi dulu (`kbetl ingest`).")
    notes = quality_notes(con, year)
    header = f"{'pkt':>4}  {'kode':<4}  {'provinsi':<28}{'sasaran':>11}{'capaian':>11}{'%':>9}  catatan"
    lines = [f"Peringkat nasional provinsi, PSA {year}", header, "-" * len(header)]
    lines += [f"{r[0]:>4}  {r[1]:<4}  {r[2]:<28}{id_number(r[3]):>11}{id_number(r[4]):>11}{id_pct(r[5]):>9}"
              f"  {notes.mark(r[6], r[7])}".rstrip() for r in rows]
    target, achieved, pct, reported, expected = nation[0]
    lines.append("-" * len(header))
    lines.append(f"{'':>4}  {'00':<4}  {partial_label('Indonesia', reported, expected, 'national'):<28}"
                 f"{id_number(target):>11}{id_number(achieved):>11}{id_pct(pct):>9}")
    if any(r[6] for r in rows):
        lines.append(f"⚠ = pemeriksaan kualitas data tidak lolos (kbetl quality --year {year}); "
                     f"{NOT_ELIGIBLE}: pemeriksaan yang menghalangi penghargaan")
    return "\n".join(lines)


def fastest_table(con: duckdb.DuckDBPyConnection, year: int, province_code: str) -> str:
    notes = quality_notes(con, year)
    rows = con.execute(
        """select award_rank, region_code, region_name, target, achieved, achievement_pct,
                  strftime(reached_target_at at time zone 'Asia/Jakarta', '%d/%m %H.%M') as reached,
                  quality_flags, award_eligible
           from marts.ranking
           where ranking = 'fastest_to_target' and campaign_year = ? and scope_code = ? order by position""",
        [year, province_code]).fetchall()
    if not rows:
        return f"Belum ada laporan harian faskes provinsi {province_code} untuk {year}."
    header = (f"{'urut':>4}  {'kode':<4}  {LEVEL_WORDS['regency']:<28}{'sasaran':>9}{'capaian':>10}{'%':>9}"
              "  mencapai 100% (WIB)")
    lines = [f"Tercepat mencapai 100% sasaran, provinsi {province_code}, PSA {year} (laporan harian faskes)",
             header, "-" * len(header)]
    lines += [f"{'-' if r[0] is None else r[0]:>4}  {r[1]:<4}  {r[2]:<28}{id_number(r[3]):>9}{id_number(r[4]):>10}"
              f"{id_pct(r[5]):>9}  {r[6] or 'belum':<12}  {notes.mark(r[7], r[8])}".rstrip() for r in rows]
    if any(r[8] is False for r in rows):
        lines.append(f"'-' = {NOT_ELIGIBLE}: pemeriksaan kualitas data yang menghalangi penghargaan tidak lolos")
    return "\n".join(lines)
