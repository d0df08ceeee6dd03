"""Text reports for people: the validation report for a data officer, the league table."""

import duckdb

from kbetl.ingest import IngestSummary, StagedFile


def validation_report(item: StagedFile) -> str:
    if item.recap is None:
        return f"REFUSED {item.path}\n  {item.refused}\n  Nothing from this file can be loaded."
    recap = item.recap
    extract = recap.extract
    status = "ERRORS" if recap.has_errors else "OK"
    lines = [
        f"{status} {item.path}",
        f"  campaign year {recap.campaign_year}, "
        + ("national recap (rows are provinces)" if recap.row_level == "province"
           else f"recap of {recap.parent_name} ({recap.parent_code}), rows are kabupaten/kota"),
        f"  header on row {extract.header_row}; {len(recap.accepted)} region rows accepted, "
        f"total row: {'yes' if not recap.parent_figures.empty else 'no'}, "
        f"{recap.quarantine['source_row'].nunique()} rows rejected",
    ]
    if extract.ignored_columns:
        lines.append(f"  columns not used: {', '.join(extract.ignored_columns)}")
    for problem in recap.quarantine.itertuples():
        lines.append(f"  row {problem.source_row}, column {problem.column_name}: {problem.message}"
                     + (f" (found {problem.value!r})" if problem.value is not None else ""))
    for finding in recap.findings.itertuples():
        lines.append(f"  check {finding.check_name}: {finding.message}")
    return "\n".join(lines)


def ingest_report(summary: IngestSummary) -> str:
    loaded = [r for r in summary.results if r.status == "loaded"]
    unchanged = len(summary.results) - len(loaded)
    lines = [f"run {summary.run_id}: {summary.status}; {len(loaded)} files loaded, {unchanged} unchanged, "
             f"{len(summary.refused)} refused; {sum(r.rows_accepted for r in loaded)} rows accepted, "
             f"{sum(r.rows_quarantined for r in loaded)} quarantined, {sum(r.findings for r in loaded)} findings"]
    lines += [f"  refused {item.path.name}: {item.refused}" for item in summary.refused]
    return "\n".join(lines)


def league_table(con: duckdb.DuckDBPyConnection, year: int | None = None) -> str:
    if year is None:
        year = con.execute("select max(campaign_year) from marts.ranking where ranking = 'national'").fetchall()[0][0]
    if year is None:
        return "No national ranking yet: ingest a national recap or provincial recaps first."
    rows = con.execute(
        """select rank, region_code, region_name, target, achieved, achievement_pct
           from marts.ranking where ranking = 'national' and campaign_year = ? order by position""",
        [year]).fetchall()
    nation = con.execute(
        "select target, achieved, achievement_pct from marts.achievement "
        "where campaign_year = ? and level = 'national'",
        [year]).fetchall()[0]
    header = f"{'rank':>4}  {'code':<4}  {'province':<28}{'target':>11}{'achieved':>11}{'%':>9}"
    lines = [f"National league table, PSA {year}", header, "-" * len(header)]
    lines += [f"{r[0]:>4}  {r[1]:<4}  {r[2]:<28}{_id_number(r[3]):>11}{_id_number(r[4]):>11}{_id_pct(r[5]):>9}"
              for r in rows]
    if nation:
        lines.append("-" * len(header))
        lines.append(f"{'':>4}  {'00':<4}  {'Indonesia':<28}{_id_number(nation[0]):>11}"
                     f"{_id_number(nation[1]):>11}{_id_pct(nation[2]):>9}")
    return "\n".join(lines)


def _id_number(value) -> str:
    return "-" if value is None else f"{value:,}".replace(",", ".")


def _id_pct(value) -> str:
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


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
    lines += [f"{r[0]:>4}  {r[1]:<4}  {r[2]:<28}{_id_number(r[3]):>9}{_id_number(r[4]):>10}{_id_pct(r[5]):>9}"
              f"  {r[6] or 'not reached'}" for r in rows]
    return "\n".join(lines)


def run_summary_markdown(published: duckdb.DuckDBPyConnection, working: duckdb.DuckDBPyConnection,
                         run_ids: list[str], year: int | None) -> str:
    """The nightly run's artifact: league table top and bottom, rejected rows by reason, findings."""
    lines = [f"# kbetl nightly run {', '.join(run_ids) or '(nothing pulled)'}", ""]
    if year is not None:
        league = published.execute(
            "select position, region_name, achievement_pct, achieved, target from marts.ranking "
            "where ranking = 'national' and campaign_year = ? order by position", [year]).fetchall()
        if league:
            lines += [f"## National league table {year}: top and bottom", "",
                      "| # | province | % | achieved | target |", "|---|---|---|---|---|"]
            shown = league if len(league) <= 10 else [*league[:5], None, *league[-5:]]
            lines += ["| … | | | | |" if r is None else f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |"
                      for r in shown]
            lines.append("")
    rejected = working.execute(
        "select check_name, column_name, count(*) from audit.quarantine where run_id in ? "
        "group by all order by 3 desc", [run_ids or [""]]).fetchall()
    lines += ["## Rejected rows by reason", ""]
    lines += [f"- {check} ({column}): {count}" for check, column, count in rejected] or ["- none"]
    findings = working.execute(
        "select check_name, count(*) from audit.findings where run_id in ? group by all order by 2 desc",
        [run_ids or [""]]).fetchall()
    lines += ["", "## Cross-check findings", ""]
    lines += [f"- {check}: {count}" for check, count in findings] or ["- none"]
    return "\n".join(lines) + "\n"
