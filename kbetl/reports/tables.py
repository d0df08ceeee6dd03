"""Text tables for a terminal: the national league table, the fastest kabupaten/kota to 100%."""

import duckdb

from kbetl.reports.numbers import id_number, id_pct


class NoRanking(ValueError):
    """No national ranking for the year in the published database (the message is for people)."""


def league_table(con: duckdb.DuckDBPyConnection, year: int | None = None) -> str:
    if year is None:
        year = con.execute("select max(campaign_year) from marts.ranking where ranking = 'national'").fetchall()[0][0]
    rows = con.execute(
        """select rank, region_code, region_name, target, achieved, achievement_pct
           from marts.ranking where ranking = 'national' and campaign_year = ? order by position""",
        [year]).fetchall()
    nation = con.execute(
        "select target, achieved, achievement_pct from marts.achievement "
        "where campaign_year = ? and level = 'national'",
        [year]).fetchall()
    if not rows or not nation:
        raise NoRanking(f"Belum ada peringkat nasional{f' PSA {year}' if year else ''} di basis data terbit: "
                        "masukkan rekap nasional atau rekap provinsi dulu (`kbetl ingest`).")
    nation = nation[0]
    header = f"{'rank':>4}  {'code':<4}  {'province':<28}{'target':>11}{'achieved':>11}{'%':>9}"
    lines = [f"National league table, PSA {year}", header, "-" * len(header)]
    lines += [f"{r[0]:>4}  {r[1]:<4}  {r[2]:<28}{id_number(r[3]):>11}{id_number(r[4]):>11}{id_pct(r[5]):>9}"
              for r in rows]
    lines.append("-" * len(header))
    lines.append(f"{'':>4}  {'00':<4}  {'Indonesia':<28}{id_number(nation[0]):>11}"
                 f"{id_number(nation[1]):>11}{id_pct(nation[2]):>9}")
    return "\n".join(lines)


def fastest_table(con: duckdb.DuckDBPyConnection, year: int, province_code: str) -> str:
    rows = con.execute(
        """select rank, region_code, region_name, target, achieved, achievement_pct,
                  strftime(reached_target_at at time zone 'Asia/Jakarta', '%d %b %H:%M') as reached
           from marts.ranking
           where ranking = 'fastest_to_target' and campaign_year = ? and scope_code = ? order by position""",
        [year, province_code]).fetchall()
    if not rows:
        return f"No daily facility data for province {province_code} in {year}."
    header = (f"{'rank':>4}  {'code':<4}  {'kabupaten/kota':<28}{'target':>9}{'achieved':>10}{'%':>9}"
              "  reached 100% (WIB)")
    lines = [f"Fastest to 100% of target, province {province_code}, PSA {year} (daily facility reports)",
             header, "-" * len(header)]
    lines += [f"{r[0]:>4}  {r[1]:<4}  {r[2]:<28}{id_number(r[3]):>9}{id_number(r[4]):>10}{id_pct(r[5]):>9}"
              f"  {r[6] or 'not reached'}" for r in rows]
    return "\n".join(lines)
