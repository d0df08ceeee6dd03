"""The daily digest: a short text in Bahasa Indonesia for a coordinators' WhatsApp group, from the published
analyst database (marts and ref only) as of a campaign day, or as of a time of that day (WIB).

What it says, for a province (its kabupaten/kota), a kabupaten/kota (its kecamatan, the Balai KB level) or
the nation (its provinces): progress against the target, who reached 100% that day and when, who is furthest
behind, and how many facilities have not reported, by kecamatan; a region whose figures are in doubt (a check
that blocks awards fails for it) has its line say why ("sasaran 3,2× rata-rata 3 kampanye sebelumnya; periksa
sasaran"). At most MAX_CHARS characters: lists are shortened ("+3 lainnya") until it fits.

Sources: marts.daily_progress (figures of the day, targets, the day each region reached 100%),
marts.ranking ('fastest_to_target': the moment each kabupaten/kota reached it), marts.district_reporting
(facilities per kecamatan, and what had been reported before each full hour, for `at`), marts.quality_flags
and marts.data_quality_issues (the doubts, kbetl/reports/flags.py). Without `at` the
figures are those published for the day (late reports included); with `at` they are what had been
reported before that time, rounded down to the full hour (the mart is hourly), e.g. 14:30 → 14.00 WIB.
"""

import html
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from kbetl.reference.tables import WIB
from kbetl.reports.flags import QualityNotes, quality_notes
from kbetl.reports.numbers import id_number, id_pct
from kbetl.reports.projection import END, earlier_shape, project, region_hours

MAX_CHARS = 1000
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
CHILD_LEVEL = {"national": "province", "province": "regency", "regency": "district"}


class NoDigest(ValueError):
    """The day has no published daily data for the region (not a campaign day, or nothing loaded yet)."""


@dataclass
class Region:
    code: str
    name: str
    target: int | None
    cumulative: int
    pct: Decimal | None
    reached_on: Date | None
    reached_at: datetime | None = None  # WIB
    expected: int = 0  # facilities
    not_reported: int = 0
    children: list["Region"] = field(default_factory=list)
    kecamatan: list[tuple[str, int]] = field(default_factory=list)  # (name, facilities not reported)
    silent: list[tuple[str, int]] = field(default_factory=list)  # its own kecamatan with facilities not reported
    doubt: str = ""  # why its figures are in doubt: the first reason of its failing data-quality checks
    projected: Decimal | None = None  # % expected by 24.00 WIB at the current pace (digests as of an hour)


@dataclass
class Change:
    """Since the previous digest: its moment as people read it, acceptors and points gained, and how many
    children reached 100% meanwhile."""
    label: str
    served: int
    points: Decimal | None
    reached: int


def id_date(day: Date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def id_time(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%H.%M")


def parse_at(at: str | time | None) -> int | None:
    """'14:30' (or a time) → the full hour it is rounded down to (0-23); None stays None."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.strptime(at.strip(), "%H:%M").time()
    return at.hour


def digest_text(con: duckdb.DuckDBPyConnection, date: Date, province: str | None = None,
                regency: str | None = None, at: str | time | None = None,
                since: str | time | Date | None = None) -> str:
    """The digest of a region (regency, else province, else the nation) as of `date`, or of `date` at `at`
    (HH:MM WIB, rounded down to the full hour). `con` is the published database, read-only.

    `since` is the previous digest: an earlier time of the same day (HH:MM) or an earlier day (its end);
    without it, yesterday's end when yesterday was a campaign day of the region. The change is computed
    from the hourly figures at that moment (marts.district_reporting), not from a stored text."""
    hour = parse_at(at)
    code = (_region_code(con, date, regency, "regency") if regency
            else _region_code(con, date, province, "province") if province else "00")
    scope = _scope(con, date, code, hour)
    _add_doubts(quality_notes(con, date.year), scope)
    change = _change(con, scope, date, *_previous(con, code, date, hour, since))
    if hour is not None:
        _add_projections(con, date, hour, scope)
    return _render(scope, _level(scope.code), date, hour, _parent_name(con, date, scope.code), change)


def digest_subject(text: str) -> str:
    """An e-mail subject from a digest's first two lines: scope and date, no WhatsApp bold marks
    ('PSA 2024 – Kab. Hulu Sungai Tengah (Kalimantan Selatan) – 4 Juni 2024, 12.00 WIB')."""
    lines = text.splitlines()
    title = lines[0].replace("*", "").strip() if lines else ""
    if len(lines) < 2:
        return title
    when = lines[1].split(", ", 1)[-1].removesuffix(", akhir hari").replace(", pukul ", ", ")
    return f"{title} – {when}"


def digest_html(text: str) -> str:
    """The HTML part of an e-mail: the text escaped, its lines as <br>, plain spaces so that lines wrap on a
    phone (the HTML that e-mail libraries make from text turns every space into &nbsp;)."""
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


# --- reading the marts ------------------------------------------------------------------------------

def _level(code: str) -> str:
    return "national" if code == "00" else {2: "province", 4: "regency"}.get(len(code), "unknown")


def _region_code(con: duckdb.DuckDBPyConnection, day: Date, given: str, level: str) -> str:
    """The code of a province or kabupaten/kota given by code ('17') or name ('Bengkulu', 'Seluma', any
    case) among the regions with daily figures that day; an unknown or ambiguous name is refused."""
    wanted = given.strip()
    if wanted.isdigit():
        return wanted
    found = con.execute(
        """select distinct region_code, region_name from marts.daily_progress
           where report_date = $1 and level = $3
             and lower(region_name) in (lower($2), 'kab. ' || lower($2), 'kota ' || lower($2))
           order by region_code""",
        [day, wanted, level]).fetchall()
    unit = "provinsi" if level == "province" else "kabupaten/kota"
    if not found:
        raise NoDigest(f"tidak ada {unit} bernama {wanted!r} dengan data harian pada {id_date(day)}: "
                       "beri kodenya atau namanya seperti tertulis di laporan")
    if len(found) > 1:
        raise NoDigest(f"nama {wanted!r} cocok dengan beberapa {unit}: "
                       + ", ".join(f"{name} ({code})" for code, name in found) + "; beri kodenya")
    return found[0][0]


def _add_doubts(notes: QualityNotes, scope: Region) -> None:
    """The figures of a region are in doubt when a check that blocks awards fails for it (the facility
    reporting checks do not: the digest counts the facilities not reported itself)."""
    for region in [scope, *scope.children]:
        reasons = notes.reasons(region.code, blocking_only=True)
        region.doubt = reasons[0] if reasons else ""


def _scope(con: duckdb.DuckDBPyConnection, day: Date, code: str, hour: int | None) -> Region:
    level = _level(code)
    if level == "unknown":
        raise ValueError(f"not a province or kabupaten/kota code: {code!r}")
    rows = con.execute(
        """select region_code, region_name, level, target, cumulative_achieved, cumulative_pct, reached_target_on
           from marts.daily_progress
           where report_date = ? and (region_code = ? or (parent_code = ? and level = ?))""",
        [day, code, code, CHILD_LEVEL[level]]).fetchall()
    regions = {r[0]: Region(r[0], r[1] or r[0], r[3], r[4], r[5], r[6]) for r in rows}
    if code not in regions:
        raise NoDigest(f"no published daily data for region {code} on {day.isoformat()}")
    scope = regions.pop(code)
    scope.children = sorted(regions.values(), key=lambda r: r.code)
    _add_reached_times(con, day, scope)
    _add_reporting(con, day, scope, hour)
    return scope


def _add_reached_times(con: duckdb.DuckDBPyConnection, day: Date, scope: Region) -> None:
    """The moment each region reached 100%: kabupaten/kota from marts.ranking, kecamatan from
    marts.district_reporting (provinces and the nation have the day only)."""
    times = dict(con.execute(
        """select region_code, epoch(reached_target_at) from marts.ranking
           where ranking = 'fastest_to_target' and campaign_year = ? and reached_target_at is not null
           union all
           select distinct district_code, epoch(reached_target_at) from marts.district_reporting
           where campaign_year = ? and reached_target_at is not null""",
        [day.year, day.year]).fetchall())
    for region in [scope, *scope.children]:
        if region.code in times:
            region.reached_at = datetime.fromtimestamp(times[region.code], WIB)


def _add_reporting(con: duckdb.DuckDBPyConnection, day: Date, scope: Region, hour: int | None) -> None:
    """Facilities expected and not reported, per kecamatan; with `hour`, figures as reported before it."""
    key = {"national": "'00'", "province": "province_code", "regency": "regency_code"}[_level(scope.code)]
    child = {"national": "province_code", "province": "regency_code", "regency": "district_code"}[
        _level(scope.code)]
    index = 25 if hour is None else hour + 1
    rows = con.execute(
        f"""select {child}, district_code, district_name, regency_code, facilities_expected,
                   facilities_expected - {'facilities_reported' if hour is None else
                                          f'facilities_reported_by_hour[{index}]'},
                   cumulative_by_hour[{index}]
            from marts.district_reporting
            where report_date = ? and {key} = ?""", [day, scope.code]).fetchall()
    if not rows and hour is not None:
        raise NoDigest(f"no hourly data published for region {scope.code} on {day.isoformat()}")
    names = dict(con.execute("select region_code, region_name from ref.regions r join ref.campaigns c "
                             "on r.map_version = c.region_map where c.campaign_year = ? and level = 'regency'",
                             [day.year]).fetchall())
    cumulative = {}
    children = {c.code: c for c in scope.children}
    for child_code, district, district_name, regency, expected, missing, served in rows:
        scope.expected += expected
        scope.not_reported += missing
        cumulative[child_code] = cumulative.get(child_code, 0) + served
        if missing:
            own = district_name.split(" (")[0] if district_name else "tanpa kecamatan"
            name = own
            if _level(scope.code) != "regency" or not district_name:
                name = f"{own} ({_short(names.get(regency, regency))})"
            scope.kecamatan.append((name, missing))
            if child_code in children:
                children[child_code].silent.append((own, missing))
    scope.kecamatan.sort(key=lambda k: (-k[1], k[0]))
    for child in scope.children:
        child.silent.sort(key=lambda k: (-k[1], k[0]))
    if hour is None:
        return
    moment = datetime.combine(day, time(hour), WIB)
    scope.cumulative = sum(cumulative.values())
    for region in [scope, *scope.children]:
        if region is not scope:
            region.cumulative = cumulative.get(region.code, 0)
        region.pct = _pct(region.cumulative, region.target)
        reached = region.pct is not None and region.pct >= 100
        if region.reached_at is not None:
            reached = region.reached_at < moment
        if not reached:
            region.reached_on, region.reached_at = None, None


def _previous(con: duckdb.DuckDBPyConnection, code: str, day: Date, hour: int | None,
              since: str | time | Date | None) -> tuple[Date | None, int | None]:
    """The previous digest's moment: (day, full hour) or (day, None) for a day's end; (None, None): none."""
    if isinstance(since, Date) and not isinstance(since, datetime):
        if since >= day:
            raise ValueError(f"the previous digest ({since.isoformat()}) must be before {day.isoformat()}")
        return since, None
    if since is not None:
        earlier = parse_at(since)
        if hour is None or earlier is None or earlier >= hour:
            raise ValueError(f"the previous digest's time ({since}) must be earlier the same day than --at")
        return day, earlier
    yesterday = day - timedelta(days=1)
    return (yesterday, None) if region_hours(con, yesterday, code) else (None, None)


def _change(con: duckdb.DuckDBPyConnection, scope: Region, today: Date, day: Date | None,
            hour: int | None) -> Change | None:
    if day is None:
        return None
    before = region_hours(con, day, scope.code)
    if scope.code not in before:
        return None
    at = END if hour is None else hour
    then = {code: hours[at] for code, hours in before.items()}
    served = scope.cumulative - then[scope.code]
    reached = sum(1 for c in scope.children if c.target and c.cumulative >= c.target > then.get(c.code, 0))
    label = (f"{hour:02d}.00 WIB" if hour is not None else
             "kemarin" if day == today - timedelta(days=1) else id_date(day))
    return Change(label, served, _pct(served, scope.target), reached)


def _add_projections(con: duckdb.DuckDBPyConnection, day: Date, hour: int, scope: Region) -> None:
    """The % each region would reach by 24.00 WIB at the current pace (kbetl/reports/projection.py)."""
    today = region_hours(con, day, scope.code)
    shape = earlier_shape(con, day, scope.code)
    for region in [scope, *scope.children]:
        if region.code in today and region.target:
            expected = project(today[region.code], hour, shape)
            region.projected = None if expected is None else _pct(expected, region.target)


def _pct(cumulative: int, target: int | None) -> Decimal | None:
    if not target:
        return None
    return (Decimal(100 * cumulative) / Decimal(target)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _parent_name(con: duckdb.DuckDBPyConnection, day: Date, code: str) -> str | None:
    if len(code) != 4:
        return None
    rows = con.execute("select region_name from marts.daily_progress where report_date = ? and region_code = ?",
                       [day, code[:2]]).fetchall()
    return rows[0][0] if rows else None


def _short(name: str) -> str:
    return name.removeprefix("Kab. ")


# --- the text ---------------------------------------------------------------------------------------

def _render(scope: Region, level: str, day: Date, hour: int | None, parent: str | None,
            change: Change | None) -> str:
    when = f"{WEEKDAYS[day.weekday()]}, {id_date(day)}, " + (
        "akhir hari" if hour is None else f"pukul {hour:02d}.00 WIB")
    title = f"*PSA {day.year} – {scope.name}*" + (f" ({parent})" if parent else "")
    progress = f"Capaian: {id_number(scope.cumulative)} akseptor"
    if scope.target:
        progress += f" dari target {id_number(scope.target)} ({id_pct(scope.pct)}%)"
    progress += "."
    if scope.reached_on == day:
        progress += " Target 100% tercapai hari ini" + (
            f" pukul {id_time(scope.reached_at)} WIB." if scope.reached_at else ".")
    elif scope.reached_on is not None:
        progress += f" Target 100% tercapai sejak {id_date(scope.reached_on)}."
    head = [title, when, progress]
    if scope.projected is not None:
        head.append(f"Dengan laju saat ini: {_projected(scope)} pada 24.00 WIB.")
    if change is not None:
        head.append(_change_line(change, level))
    head += [f"⚠ Data diragukan: {scope.doubt}."] if scope.doubt else []

    unit = {"province": "kabupaten/kota", "regency": "kecamatan (Balai KB)", "national": "provinsi"}[level]
    reached = sorted((c for c in scope.children if c.reached_on == day),
                     key=lambda c: (c.reached_at is None, c.reached_at or datetime.min.replace(tzinfo=WIB),
                                    c.name))
    reached_items = [c.name + (f" {_moment(c.reached_at, day)}" if c.reached_at else "") + _doubt(c)
                     for c in reached]
    with_target = [c for c in scope.children if c.target]
    behind = sorted((c for c in with_target if c.pct is not None and c.pct < 100), key=lambda c: (c.pct, c.name))
    behind_items = [_behind(c, level, projected=i < 2) for i, c in enumerate(behind)]
    missing_items = [f"{name} {id_number(n)}" for name, n in scope.kecamatan]

    if scope.expected == 0:
        missing_head = "Faskes: belum ada register faskes."
    elif scope.not_reported == 0:
        missing_head = f"Semua {id_number(scope.expected)} faskes sudah lapor."
    else:
        missing_head = (f"Faskes belum lapor: {id_number(scope.not_reported)} dari {id_number(scope.expected)}. "
                        "Per kecamatan:")
    # what to act on first: who is behind, by how much, and whose facilities have not reported
    sections = [
        [("Kecamatan (Balai KB) tertinggal:" if level == "regency" else "Paling tertinggal:") if behind_items else
         (f"Semua {unit} sudah mencapai 100%." if with_target else f"Target per {unit} belum ditetapkan."),
         behind_items],
        [f"Mencapai 100% hari ini: {id_number(len(reached))} {unit}" if reached_items else
         f"Belum ada {unit} yang mencapai 100% hari ini.", reached_items],
        [missing_head, missing_items],
    ]
    limits = [len(items) for _, items in sections]
    limits[0] = min(limits[0], 5 if level == "regency" else 3)  # furthest behind
    limits[1] = min(limits[1], 3)  # the first to reach 100%, on one line
    limits[2] = min(limits[2], 8)  # kecamatan with facilities not reported
    while True:
        text = _compose(head, sections, limits)
        if len(text) <= MAX_CHARS or not any(limits):
            return text
        longest = max(range(len(limits)), key=lambda i: (limits[i], i))
        limits[longest] -= 1


def _behind(region: Region, level: str, named: int = 3, projected: bool = False) -> str:
    """'Kab. Seluma 48,20% (2.237/4.641), kurang 2.404 akseptor; laju saat ini: ±71% pada 24.00; belum lapor:
    Sukaraja 2, +1 kec. lain' (the projection for the two furthest behind)."""
    item = (f"{region.name} {id_pct(region.pct)}% ({id_number(region.cumulative)}/{id_number(region.target)}), "
            f"kurang {id_number(region.target - region.cumulative)} akseptor")
    if projected and region.projected is not None:
        item += f"; laju saat ini: {_projected(region)} pada 24.00"
    if region.silent and level == "regency":  # a kecamatan: its own facilities
        item += f"; {id_number(sum(n for _, n in region.silent))} faskes belum lapor"
    elif region.silent:
        rest = len(region.silent) - named
        item += "; belum lapor: " + ", ".join(f"{name} {id_number(n)}" for name, n in region.silent[:named]) + (
            f", +{rest} kec. lain" if rest > 0 else "")
    return item + _doubt(region)


def _projected(region: Region) -> str:
    """A projection is an estimate: a whole percent, marked ± ('±92%')."""
    return f"±{id_number(int(region.projected.quantize(Decimal(1), ROUND_HALF_UP)))}%"


def _change_line(change: Change, level: str) -> str:
    """'Sejak ringkasan 10.00 WIB: +2.345 akseptor (+6,43 poin), 2 kabupaten/kota baru mencapai 100%.'"""
    unit = {"province": "kabupaten/kota", "regency": "kecamatan", "national": "provinsi"}[level]
    line = f"Sejak ringkasan {change.label}: {change.served:+,} akseptor".replace(",", ".")
    if change.points is not None:
        line += f" ({'+' if change.points >= 0 else ''}{id_pct(change.points)} poin)"
    if change.reached:
        line += f", {id_number(change.reached)} {unit} baru mencapai 100%"
    return line + "."


def _doubt(region: Region) -> str:
    return f" ⚠ {region.doubt}" if region.doubt else ""


def _moment(moment: datetime, day: Date) -> str:
    local = moment.astimezone(WIB)
    suffix = "" if local.date() == day else f" ({local.day} {MONTHS[local.month - 1]})"
    return f"{id_time(local)} WIB{suffix}"


def _compose(head: list[str], sections: list[list], limits: list[int]) -> str:
    lines = list(head)
    for (header, items), limit in zip(sections, limits):
        lines.append("")
        if header.endswith(" Per kecamatan:"):  # facilities not reported: one line
            rest = len(items) - limit
            if limit:
                lines.append(f"{header} {', '.join(items[:limit])}" + (f" (+{rest} kec. lain)" if rest else ""))
            else:
                lines.append(header.removesuffix(" Per kecamatan:") + f" ({len(items)} kecamatan)")
            continue
        if header.startswith("Mencapai 100% hari ini:"):  # who reached it: one line, the first few
            rest = len(items) - limit
            lines.append(f"{header}" + (f" — {', '.join(items[:limit])}" if limit else "")
                         + (f", +{rest} lainnya" if rest and limit else "") + ".")
            continue
        lines.append(header)
        lines += [f"• {item}" for item in items[:limit]]
        if len(items) > limit:
            lines.append(f"• +{len(items) - limit} lainnya")
    return "\n".join(lines)
