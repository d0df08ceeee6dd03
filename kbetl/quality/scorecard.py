"""The data-quality scorecard people read (in Bahasa Indonesia): dimensions × regions with the count of
offending rows, a mark where a region failed a check, and the worst issues; from marts.data_quality and
marts.data_quality_issues of the published analyst database."""

from pathlib import Path

import duckdb

from kbetl.reference.indonesian import id_number, labels
from kbetl.warehouse.database import connect

DIMENSIONS = labels("dimension")
WORST = 10
FAILED_MARK = "!"


class NoQualityData(ValueError):
    """A year or province the analyst database has no data-quality rows for."""


def resolve_province(con: duckdb.DuckDBPyConnection, year: int, province: str) -> tuple[str, str]:
    """(code, name) of a province given by code or name on the map of the year."""
    found = con.execute(
        """select r.region_code, r.region_name
           from ref.regions as r join ref.campaigns as c on r.map_version = c.region_map
           where c.campaign_year = ? and r.level = 'province'
             and (r.region_code = ? or lower(r.region_name) = lower(?))""",
        [year, province.strip(), province.strip()]).fetchall()
    if not found:
        raise NoQualityData(f"no province {province!r} on the map of {year}: give its code (e.g. 17) or name")
    return found[0]


def scorecard_text(con: duckdb.DuckDBPyConnection, year: int, province: str | None = None,
                   worst: int = WORST) -> str:
    _check_year(con, year)
    scope = resolve_province(con, year, province) if province else ("00", "Indonesia")
    rows = _region_rows(con, year, scope[0])
    lines = [f"Kualitas data PSA {year}, {scope[1]}: baris bermasalah per dimensi "
             f"({FAILED_MARK} = wilayah tidak lolos pemeriksaan)", ""]
    width = max((len(name) for _, name, _ in rows), default=len("wilayah")) + 2
    header = f"{'kode':<6}{'wilayah':<{width}}" + "".join(f"{title:>13}" for title in DIMENSIONS.values())
    lines += [header, "-" * len(header)]
    for code, name, cells in rows:
        lines.append(f"{code:<6}{name:<{width}}" + "".join(f"{_cell(*cells.get(d, (0, False))):>13}"
                                                          for d in DIMENSIONS))
    lines += ["", f"Masalah terberat ({scope[1]}):"]
    issues = _worst_issues(con, year, scope[0], worst)
    lines += [f"- [{DIMENSIONS[d]}] {name or code}: {message}" for d, code, name, message in issues] or \
        ["- tidak ada"]
    return "\n".join(lines)


def quality_line(con: duckdb.DuckDBPyConnection, year: int) -> str:
    """One line: how many regions failed how many checks, and the command that shows them."""
    _check_year(con, year)
    failed, regions = con.execute(
        "select count(*), count(distinct region_code) from marts.data_quality where campaign_year = ? and not passed",
        [year]).fetchone()
    return (f"Kualitas data PSA {year}: {id_number(failed)} pemeriksaan tidak lolos di {id_number(regions)} wilayah "
            f"(kbetl quality --year {year})")


def write_scorecard(analyst_db: Path, year: int, path: Path, province: str | None = None) -> Path:
    """Writes the scorecard as a text file (for the nightly artifact); returns its path."""
    con = connect(analyst_db, read_only=True)
    try:
        text = scorecard_text(con, year, province)
    finally:
        con.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _check_year(con: duckdb.DuckDBPyConnection, year: int) -> None:
    has_marts = con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' "
                            "and table_name = 'data_quality'").fetchone()[0]
    if not has_marts:
        raise NoQualityData("the analyst database has no data-quality marts yet: run any load to rebuild it")
    if not con.execute("select count(*) from marts.data_quality where campaign_year = ?", [year]).fetchone()[0]:
        raise NoQualityData(f"no data-quality results for {year} in the analyst database: load that year first")


def _cell(count: int, failed: bool) -> str:
    return f"{id_number(count)}{' ' + FAILED_MARK if failed else '  '}"


def _region_rows(con: duckdb.DuckDBPyConnection, year: int, scope: str) -> list[tuple[str, str, dict]]:
    """The scope itself and the regions one level below it; each counts its own rows and those of the
    regions inside it (a province holds its kabupaten/kota, their kecamatan and their facilities)."""
    found = con.execute(
        """with shown as (
               select
                   case
                       when region_code = $scope then region_code
                       when $scope = '00' and level = 'province' then region_code
                       when $scope = '00' and level = 'regency' then parent_code
                       when level = 'regency' and parent_code = $scope then region_code
                       -- a kecamatan counts in its kabupaten/kota, and that in its province
                       when $scope = '00' and level = 'district' then left(parent_code, 2)
                       when level = 'district' and left(parent_code, 2) = $scope then parent_code
                   end as shown_code,
                   dimension, offending_rows, passed
               from marts.data_quality
               where campaign_year = $year
           ),
           names as (
               select r.region_code, r.region_name
               from ref.regions as r join ref.campaigns as c on r.map_version = c.region_map
               where c.campaign_year = $year
           )
           select s.shown_code, n.region_name, s.dimension, sum(s.offending_rows), bool_or(not s.passed)
           from shown as s
           left join names as n on n.region_code = s.shown_code
           where s.shown_code is not null
           group by s.shown_code, n.region_name, s.dimension
           order by s.shown_code <> $scope, s.shown_code""",
        {"year": year, "scope": scope}).fetchall()
    rows: dict[str, tuple[str, dict]] = {}
    for code, name, dimension, count, failed in found:
        rows.setdefault(code, (name or code, {}))[1][dimension] = (int(count), bool(failed))
    return [(code, name, cells) for code, (name, cells) in rows.items()]


def _worst_issues(con: duckdb.DuckDBPyConnection, year: int, scope: str, limit: int) -> list[tuple]:
    """Failures before moderate outliers, then the farthest from their reference value."""
    return con.execute(
        """select dimension, region_code, region_name, message
           from marts.data_quality_issues
           where campaign_year = $year
             and ($scope = '00' or region_code = $scope or left(parent_code, 2) = $scope)
           order by severity = 'moderate',
                    abs(value - coalesce(reference_value, 0)) / greatest(abs(reference_value), 1) desc,
                    region_code, subject
           limit $limit""",
        {"year": year, "scope": scope, "limit": limit}).fetchall()
