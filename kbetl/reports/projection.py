"""Where a region will be by 24.00 WIB at the current pace (the digest's "dengan laju saat ini" line), from
the hourly figures of marts.district_reporting: element h + 1 of `cumulative_by_hour` is what had been
reported before h:00 WIB (element 25: by 24.00).

With earlier campaign days of the region (of any year) their shape is used: the share of a day's own
reports that had come in before each hour, pooled over those days; today's reports so far divided by that
share give the day's end. Without one: the day's pace so far (acceptors per hour since the hour of the
first report of the day) carried on to 24.00. docs/reports.md gives the backtest on the sample data
(`python -m kbetl.reports.projection DB`).
"""

import sys
from dataclasses import dataclass
from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal

import duckdb

END = 24  # the index of "by 24.00 WIB" in a list of 25 by-hour figures
MIN_SHARE = 0.05  # earlier than the hour by which 5% of a day's reports came in, nothing is projected
SCOPE_KEY = {2: "province_code", 4: "regency_code"}
CHILD_KEY = {0: "province_code", 2: "regency_code", 4: "district_code"}


def region_hours(con: duckdb.DuckDBPyConnection, day: Date, scope_code: str) -> dict[str, list[int]]:
    """{region code: its 25 by-hour cumulative figures on `day`} for the scope ('00', a province or a
    kabupaten/kota) and each of its children (provinces, kabupaten/kota, kecamatan)."""
    scope = "'00'" if scope_code == "00" else SCOPE_KEY[len(scope_code)]
    child = CHILD_KEY[0 if scope_code == "00" else len(scope_code)]
    rows = con.execute(
        f"""select {child}, cumulative_by_hour from marts.district_reporting
            where report_date = $1 and {scope} = $2""", [day, scope_code]).fetchall()
    hours: dict[str, list[int]] = {}
    for code, by_hour in rows:
        for key in (scope_code, code):
            if key is not None:
                total = hours.setdefault(key, [0] * (END + 1))
                hours[key] = [a + b for a, b in zip(total, by_hour)]
    return hours


def earlier_shape(con: duckdb.DuckDBPyConnection, day: Date, scope_code: str) -> list[float] | None:
    """The pooled shape of the scope's campaign days before `day` (any year), or None without any."""
    days = [d for (d,) in con.execute(
        f"""select distinct report_date from marts.district_reporting
            where report_date < $1 and {"'00'" if scope_code == "00" else SCOPE_KEY[len(scope_code)]} = $2
            order by report_date""", [day, scope_code]).fetchall()]
    return day_shape([region_hours(con, d, scope_code)[scope_code] for d in days])


def day_shape(days: list[list[int]]) -> list[float] | None:
    """Share of the days' own reports (what came in during each day) that had come in before each hour."""
    totals = [sum(d[h] - d[0] for d in days) for h in range(END + 1)]
    if totals[END] <= 0:
        return None
    return [t / totals[END] for t in totals]


def project(today: list[int], hour: int, shape: list[float] | None) -> int | None:
    """The cumulative figure expected by 24.00 from today's by-hour figures known before `hour`:00; None
    when there is no pace yet (nothing reported today, or too early in the shape's day)."""
    base, now = today[0], today[hour]
    if hour >= END:
        return now
    if shape is not None:
        return None if shape[hour] < MIN_SHARE else round(base + (now - base) / shape[hour])
    started = next((h for h in range(1, hour + 1) if today[h] > base), None)
    if started is None:
        return None
    pace = (now - base) / (hour - started + 1)  # per hour since the hour in which the first report came
    return round(now + pace * (END - hour))


def pct(value: int | None, target: int | None) -> Decimal | None:
    if value is None or not target:
        return None
    return (Decimal(100 * value) / Decimal(target)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Backtest:
    day: Date
    code: str
    name: str
    target: int
    known: int  # before the hour projected from
    projected: int | None  # at the day's pace
    projected_shape: int | None  # with the shape of the other provinces' same day (as if earlier days)
    actual: int  # by 24.00


def backtest(con: duckdb.DuckDBPyConnection, hour: int = 12) -> list[Backtest]:
    """Each province with hourly figures, each of its days: projected from `hour` against the day's end.
    The shape column stands in for "earlier campaign days" with the same day of the other provinces."""
    days = con.execute(
        """select distinct d.report_date, d.province_code, p.region_name, p.target
           from marts.district_reporting d join marts.daily_progress p
             on p.report_date = d.report_date and p.region_code = d.province_code
           order by 1, 2""").fetchall()
    hours = {(day, code): region_hours(con, day, code)[code] for day, code, _, _ in days}
    found = []
    for day, code, name, target in days:
        today = hours[(day, code)]
        others = day_shape([h for (d, c), h in hours.items() if d == day and c != code])
        found.append(Backtest(day, code, name, target, today[hour], project(today, hour, None),
                              project(today, hour, others), today[END]))
    return found


def backtest_table(rows: list[Backtest], hour: int) -> str:
    """A Markdown table of the backtest, points of achievement off (projected − actual)."""
    def points(value: int | None, row: Backtest) -> str:
        if value is None:
            return "-"
        return f"{pct(value, row.target)} ({pct(value, row.target) - pct(row.actual, row.target):+})"

    lines = [f"| day | province | target | by {hour:02d}.00 | projected at the day's pace, % (points off) | "
             "projected with the other provinces' shape, % (points off) | by 24.00, % |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r.day} | {r.name} | {r.target} | {r.known} | {r.projected} = {points(r.projected, r)} | "
              f"{r.projected_shape} = {points(r.projected_shape, r)} | {r.actual} = {pct(r.actual, r.target)} |"
              for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m kbetl.reports.projection PUBLISHED_DB [HOUR]
    at = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    connection = duckdb.connect(sys.argv[1], read_only=True)
    try:
        print(backtest_table(backtest(connection, at), at))
    finally:
        connection.close()
