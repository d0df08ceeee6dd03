"""What the campaign report shows, read from the published analyst database (marts and ref only). Every
query is read-only; the report computes nothing the marts already hold, only sums and counts over them."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import duckdb

from kbetl.reports.numbers import id_pct

WIB = timezone(timedelta(hours=7))
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


@dataclass(frozen=True)
class Band:
    """A colour band of achievement: lower <= pct < upper (None: unbounded)."""

    lower: float | None
    upper: float | None
    colour: str
    name: str
    text_colour: str = "#000000"
    label: str = field(default="")

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", band_label(self.lower, self.upper))

    def holds(self, pct) -> bool:
        return pct is not None and (self.lower is None or pct >= self.lower) and (
            self.upper is None or pct < self.upper)


def _short(value: float) -> str:
    return id_pct(value).removesuffix(",00")


def band_label(lower: float | None, upper: float | None) -> str:
    """'≥ 100%', '80–99,99%', '< 80%' (upper is exclusive: the label shows the last value inside, to 2 decimals)."""
    if upper is None:
        return f"≥ {_short(lower)}%"
    if lower is None:
        return f"< {_short(upper)}%"
    return f"{_short(lower)}–{id_pct(upper - 0.01)}%"


DEFAULT_BANDS = (
    Band(100, None, "#1a9850", "Tercapai", "#ffffff"),
    Band(80, 100, "#fee08b", "Mendekati"),
    Band(None, 80, "#d73027", "Di bawah", "#ffffff"),
)


# the heat table of years: a province against the nation's achievement of the same year, in points (purple
# to orange, apart from the achievement bands' green, yellow and red)
AROUND_NATIONAL = (
    Band(20, None, "#5e3c99", "Jauh di atas nasional", "#ffffff", "≥ +20 poin"),
    Band(5, 20, "#b2abd2", "Di atas nasional", label="+5 s.d. +19,99 poin"),
    Band(-5, 5, "#f7f7f7", "Setara nasional", label="−5 s.d. +4,99 poin"),
    Band(-20, -5, "#fdb863", "Di bawah nasional", label="−20 s.d. −5,01 poin"),
    Band(None, -20, "#e66101", "Jauh di bawah nasional", "#ffffff", "< −20 poin"),
)


def band_of(pct, bands=DEFAULT_BANDS) -> Band | None:
    return next((b for b in bands if b.holds(pct)), None)


def id_date(day: date | None) -> str:
    return "-" if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def id_moment_wib(moment: datetime | None) -> str:
    """'4 Juni 2024, 11.26 WIB' (a naive timestamp is taken as UTC)."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(WIB)
    return f"{id_date(local.date())}, {local:%H.%M} WIB"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? "
                            "and table_name = ?", [schema, table]).fetchall()[0][0])


# ---- the campaign and its regions -------------------------------------------------------------------

def campaign(con: duckdb.DuckDBPyConnection, year: int) -> dict | None:
    found = _rows(con, "select * from ref.campaigns where campaign_year = ?", [year])
    return found[0] if found else None


def provinces(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Provinces with figures in the year, in code order."""
    return _rows(con, """
        select region_code as code, region_name as name from marts.achievement
        where campaign_year = ? and level = 'province' order by region_code""", [year])


def resolve_province(con: duckdb.DuckDBPyConnection, year: int, province: str) -> dict:
    """A province of the year's figures by code ('63') or name ('Kalimantan Selatan', any case)."""
    wanted = province.strip().lower()
    for p in provinces(con, year):
        if wanted in (p["code"], p["name"].lower()):
            return p
    raise ValueError(f"province {province!r} has no figures for {year} in the published database")


# ---- achievement and rankings -----------------------------------------------------------------------

def national_league(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """The national ranking with each province's MKJP share and its kabupaten/kota at or above 100%."""
    return _rows(con, """
        with regencies as (
            select parent_code as region_code,
                   count(achievement_pct) as regencies_ranked,
                   count(*) filter (where achievement_pct >= 100) as regencies_at_target
            from marts.achievement where campaign_year = ? and level = 'regency' group by all
        )
        select r.rank, r.position, r.region_code, r.region_name, r.target, r.achieved, r.achievement_pct,
               r.quality_flags, r.award_eligible,
               a.mkjp_share_pct, coalesce(g.regencies_ranked, 0) as regencies_ranked,
               coalesce(g.regencies_at_target, 0) as regencies_at_target
        from marts.ranking as r
        join marts.achievement as a using (campaign_year, region_code, level)
        left join regencies as g using (region_code)
        where r.campaign_year = ? and r.ranking = 'national'
        order by r.position""", [year, year])


def region_total(con: duckdb.DuckDBPyConnection, year: int, region_code: str) -> dict | None:
    found = _rows(con, """
        select region_code, region_name, target, achieved, achievement_pct, mkjp_achieved, mkjp_share_pct,
               quality_flags, children_reported, children_expected, level
        from marts.achievement where campaign_year = ? and region_code = ?
          and level = case when ? = '00' then 'national' else 'province' end""", [year, region_code, region_code])
    return found[0] if found else None


def regencies_at_target(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> tuple[int, int]:
    """(kabupaten/kota at or above 100%, kabupaten/kota with an achievement figure)."""
    return tuple(con.execute("""
        select count(*) filter (where achievement_pct >= 100), count(achievement_pct)
        from marts.achievement
        where campaign_year = ? and level = 'regency' and (? is null or parent_code = ?)""",
        [year, province_code, province_code]).fetchall()[0])


def province_history(con: duckdb.DuckDBPyConnection, year: int) -> tuple[list[int], list[dict]]:
    """Achievement % of each province in every year up to `year`, on the map of `year` (earlier years
    through current_region_code; a pre-2022 province with no single successor gets a row of its own)."""
    years = [y for (y,) in con.execute(
        "select distinct campaign_year from marts.achievement where campaign_year <= ? order by 1", [year]).fetchall()]
    rows = _rows(con, """
        with now as (
            select region_code, region_name from marts.achievement where campaign_year = ? and level = 'province'
        ),
        history as (
            select campaign_year, region_code, region_name, achievement_pct,
                   case when campaign_year = ? then region_code else current_region_code end as row_code
            from marts.achievement where campaign_year <= ? and level = 'province'
        )
        select coalesce(h.row_code, 'lama-' || h.region_code) as row_key,
               coalesce(n.region_name, h.region_name) as name, n.region_name is null as former,
               h.campaign_year, h.achievement_pct
        from history as h left join now as n on n.region_code = h.row_code""", [year, year, year])
    table: dict[str, dict] = {}
    for r in rows:
        entry = table.setdefault(r["row_key"], {"key": r["row_key"], "name": r["name"], "former": r["former"],
                                                "pct": {}})
        entry["pct"][r["campaign_year"]] = r["achievement_pct"]
    ordered = sorted(table.values(), key=lambda e: (e["former"], e["key"].removeprefix("lama-")))
    return years, ordered


def national_history(con: duckdb.DuckDBPyConnection, year: int) -> dict[int, float]:
    """The nation's achievement % in every year up to `year`."""
    return dict(con.execute("""
        select campaign_year, achievement_pct from marts.achievement
        where campaign_year <= ? and level = 'national' and achievement_pct is not null""", [year]).fetchall())


def regency_league(con: duckdb.DuckDBPyConnection, year: int, province_code: str) -> list[dict]:
    return _rows(con, """
        select r.rank, r.position, r.region_code, r.region_name, r.target, r.achieved, r.achievement_pct,
               r.quality_flags, r.award_eligible, a.mkjp_share_pct
        from marts.ranking as r
        join marts.achievement as a using (campaign_year, region_code, level)
        where r.campaign_year = ? and r.ranking = 'province' and r.scope_code = ?
        order by r.position""", [year, province_code])


def unranked_regencies(con: duckdb.DuckDBPyConnection, year: int, province_code: str) -> list[dict]:
    """Kabupaten/kota of the province without an achievement figure (no target): listed, not ranked."""
    return _rows(con, """
        select region_code, region_name, target, achieved from marts.achievement
        where campaign_year = ? and level = 'regency' and parent_code = ? and achievement_pct is null
        order by region_code""", [year, province_code])


def group_winners(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> list[dict]:
    """Juara 1–3 of each target-size group by award_rank. Nationally: the groups set for every province
    ('*'). For a province: its own groups, and its best three in each national group (with their national
    award rank). A region not award-eligible that ranks among them is listed too, marked, never as juara."""
    groups = _rows(con, """
        select group_name, province_code, min_target, max_target from ref.target_groups
        where campaign_year = ? and (province_code = '*' or ? is null or province_code = ?)
          and (? is not null or province_code = '*')
        order by province_code = '*' desc, coalesce(min_target, 0) desc, group_name""",
        [year, province_code, province_code, province_code])
    result = []
    for g in groups:
        national_group = g["province_code"] == "*"
        in_province = province_code is not None and national_group
        members = _rows(con, """
            select r.rank, r.award_rank, r.award_eligible, r.quality_flags, r.position, r.region_code,
                   r.region_name, r.target, r.achieved, r.achievement_pct, a.parent_code,
                   p.region_name as province_name
            from marts.ranking as r
            join marts.achievement as a using (campaign_year, region_code, level)
            left join marts.achievement as p
              on p.campaign_year = a.campaign_year and p.level = 'province' and p.region_code = a.parent_code
            where r.campaign_year = ? and r.ranking = 'group' and r.scope_code = ?
              and (? is null or a.parent_code = ?)
            order by r.position""",
            [year, g["group_name"], province_code if in_province else None, province_code if in_province else None])
        winners = _winners(members, in_province)
        result.append({**g, "national": national_group, "members": len(members), "winners": winners,
                       "within_province": in_province})
    return result


def _winners(members: list[dict], in_province: bool) -> list[dict]:
    """The award winners (award_rank 1–3, or a province's first three eligible), with every region not
    eligible ranked before the last of them (in position order)."""
    if in_province:
        eligible = [i for i, m in enumerate(members) if m["award_eligible"]][:3]
        last = eligible[-1] if eligible else 2
        return [m for i, m in enumerate(members[:last + 1]) if i in eligible or not m["award_eligible"]]
    chosen = [m for m in members if m["award_rank"] is not None and m["award_rank"] <= 3]
    last = max((m["position"] for m in chosen), default=3)
    return [m for m in members if m in chosen or (not m["award_eligible"] and m["position"] <= last)]


def fastest(con: duckdb.DuckDBPyConnection, year: int, province_code: str) -> list[dict]:
    return _rows(con, """
        select rank, award_rank, award_eligible, quality_flags, position, region_code, region_name, target,
               achieved, achievement_pct, reached_target_on, reached_target_at
        from marts.ranking
        where campaign_year = ? and ranking = 'fastest_to_target' and scope_code = ?
        order by position""", [year, province_code])


# ---- daily facility reports -------------------------------------------------------------------------

def daily_curves(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> list[dict]:
    """Cumulative % by day: the nation and its provinces, or a province and its kabupaten/kota."""
    if province_code is None:
        where, params = "level in ('national', 'province')", [year]
    else:
        where = "((level = 'province' and region_code = ?) or (level = 'regency' and parent_code = ?))"
        params = [year, province_code, province_code]
    return _rows(con, f"""
        select report_date, level, region_code, region_name, achieved_on_day, cumulative_achieved, target,
               cumulative_pct
        from marts.daily_progress where campaign_year = ? and {where}
        order by level, region_code, report_date""", params)


def hourly_curves(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> list[dict]:
    """For a campaign of one service day: cumulative % before each full hour of that day (WIB, 0-24) of
    the nation and its provinces, or a province and its kabupaten/kota (the digest's hourly figures,
    marts.district_reporting); [] when the campaign had several days or no facility reports."""
    from kbetl.reports.projection import pct, region_hours

    rows = daily_curves(con, year, province_code)
    days = {r["report_date"] for r in rows}
    if len(days) != 1:
        return []
    hours = region_hours(con, days.pop(), province_code or "00")
    found = []
    for r in rows:
        by_hour = hours.get(r["region_code"])
        if by_hour is None or not r["target"]:
            continue
        found += [{**r, "hour": h, "cumulative_achieved": n,
                   "cumulative_pct": pct(n, r["target"])} for h, n in enumerate(by_hour)]
    return found


def method_mix(con: duckdb.DuckDBPyConnection, year: int,
               province_code: str | None = None) -> tuple[list[dict], list[dict]]:
    """(methods of ref.methods in order, one row per region and method with its count) for the nation and
    its provinces, or a province and its kabupaten/kota; regions without a breakdown are left out."""
    methods = _rows(con, "select method_code, name_id, is_mkjp from ref.methods")
    if province_code is None:
        where, params = "level in ('national', 'province')", [year]
    else:
        where = "((level = 'province' and region_code = ?) or (level = 'regency' and parent_code = ?))"
        params = [year, province_code, province_code]
    columns = ", ".join(m["method_code"] for m in methods)
    regions = _rows(con, f"""
        select level, region_code, region_name, achieved, mkjp_share_pct, {columns}
        from marts.achievement where campaign_year = ? and {where} and mkjp_achieved is not null
        order by level <> 'regency' desc, region_code""", params)
    long = [{"region_code": r["region_code"], "region_name": r["region_name"], "level": r["level"],
             "method": m["name_id"], "method_code": m["method_code"], "mkjp": m["is_mkjp"],
             "order": i, "count": r[m["method_code"]], "mkjp_share_pct": r["mkjp_share_pct"]}
            for r in regions for i, m in enumerate(methods)]
    return methods, long


def kbpp(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> list[dict]:
    """Post-partum (KBPP) share and achievement against its own target, per region."""
    if province_code is None:
        where, params = "s.level in ('national', 'province')", [year, year]
    else:
        where = "((s.level = 'province' and s.region_code = ?) or (s.level = 'regency' and left(s.region_code, 2) = ?))"
        params = [year, year, province_code, province_code]
    return _rows(con, f"""
        select distinct s.level, s.region_code, coalesce(a.region_name, 'Indonesia') as region_name,
               s.region_achieved, s.kbpp_achieved, s.kbpp_share_pct, s.kbpp_target, s.kbpp_achievement_pct
        from marts.service_mix as s
        left join marts.achievement as a
          on a.campaign_year = ? and a.region_code = s.region_code and a.level = s.level
        where s.campaign_year = ? and {where}
        order by s.level <> 'regency' desc, s.level, s.region_code""", params)


def completeness(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> list[dict]:
    """Reporting rate and on-time rate over the campaign days, per kabupaten/kota (or per province)."""
    key = "province_code" if province_code is None else "regency_code"
    name = "p.region_name" if province_code is None else "any_value(c.region_name)"
    join = ("left join marts.achievement as p on p.campaign_year = c.campaign_year and p.level = 'province' "
            "and p.region_code = c.province_code") if province_code is None else ""
    rows = _rows(con, f"""
        select c.{key} as region_code, {name} as region_name, count(distinct c.report_date) as days,
               sum(c.facilities_expected) as expected, sum(c.facilities_reported) as reported,
               sum(c.reports_on_time) as on_time
        from marts.reporting_completeness as c {join}
        where c.campaign_year = ? and (? is null or c.province_code = ?)
        group by c.{key}{', p.region_name' if province_code is None else ''} order by 1""",
        [year, province_code, province_code])
    for r in rows:
        r["reporting_rate_pct"] = _pct(r["reported"], r["expected"])
        r["on_time_rate_pct"] = _pct(r["on_time"], r["expected"])
    return rows


def _pct(part, whole):
    return None if not whole else round(part * 100 / whole, 2)


def reconciliation(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> list[dict]:
    """Regions whose recap figure and the sum of their facility reports differ."""
    return _rows(con, """
        select level, region_code, region_name, recap_achieved, facility_achieved, difference, difference_pct
        from marts.reconciliation
        where campaign_year = ? and difference <> 0 and level <> 'district'
          and (? is null or region_code = ? or (level = 'regency' and left(region_code, 2) = ?))
        order by level <> 'regency' desc, region_code""", [year, province_code, province_code, province_code])


def has_daily_data(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> bool:
    return bool(con.execute("""
        select count(*) from marts.daily_progress where campaign_year = ?
        and (? is null or (level = 'province' and region_code = ?))""",
        [year, province_code, province_code]).fetchall()[0][0])


# ---- data-quality issues and region groups (a mart that may not exist yet) -----------------------------

def quality_issues(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None) -> list[dict]:
    """The rows of marts.data_quality_issues of the year (or of a province and its kabupaten/kota), as
    `kbetl quality` orders them: those of a flagged region first, then the farthest from their reference."""
    return _rows(con, """
        select i.check_name, c.title_id, i.dimension, i.level, i.region_code, i.region_name, i.subject,
               i.severity, i.value, i.reference_value, i.message,
               coalesce(list_contains(f.quality_flags, i.check_name), false) as flagged
        from marts.data_quality_issues as i
        join ref.quality_checks as c using (check_name)
        left join marts.quality_flags as f using (campaign_year, region_code)
        where i.campaign_year = ? and (? is null or i.region_code = ? or i.parent_code = ?)
        order by not flagged, i.severity = 'moderate',
                 abs(i.value - coalesce(i.reference_value, 0)) / greatest(abs(i.reference_value), 1) desc,
                 i.region_code, i.subject""", [year, province_code, province_code, province_code])


def group_achievement(con: duckdb.DuckDBPyConnection, year: int, province_code: str | None = None
                      ) -> tuple[list[str], list[dict]] | None:
    """marts.group_achievement, if the published file has it (columns as it defines them): None if not."""
    if not has_table(con, "marts", "group_achievement"):
        return None
    columns = [c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'group_achievement' order by ordinal_position").fetchall()]
    where, params = [], []
    if "campaign_year" in columns:
        where.append("campaign_year = ?")
        params.append(year)
    scope = next((c for c in ("province_code", "parent_code") if c in columns), None)
    if province_code is not None:
        if scope is None:
            return None  # no way to tell which rows concern the province: the national report shows them
        where.append(f"{scope} = ?")
        params.append(province_code)
    sql = "select * from marts.group_achievement" + (" where " + " and ".join(where) if where else "")
    shown = [c for c in columns if c != "campaign_year"]
    rows = _rows(con, sql + " order by all", params)
    return shown, rows
