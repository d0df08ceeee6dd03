"""Indonesian for what people read: numbers, percentages, dates and times the Indonesian way (Babel, locale
id_ID: 17.974; 144,40; 4 Juni 2024; 11.26 WIB), and the words for levels, kinds of recap and data-quality
dimensions (data/labels.csv; the methods' names are schemas/methods.csv). Reports, digests, messages and
command output say them through this module."""

import csv
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, localcontext
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime, get_day_names, get_month_names
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

LOCALE = "id_ID"
WIB = timezone(timedelta(hours=7))  # deadlines and report times are stated in WIB
LABELS_CSV = Path(__file__).with_name("data") / "labels.csv"

LEVELS = ("national", "province", "regency", "district")  # the region hierarchy, top down
CHILD_LEVEL = dict(zip(LEVELS, LEVELS[1:]))
PARENT_LEVEL = dict(zip(LEVELS[1:], LEVELS))


def id_number(value, decimals: int = 0, trim: bool = False) -> str:
    """'17.974'; with decimals, '144,40' (trim: '2,5', no trailing zeros); None is '-'. A float is rounded
    from its exact binary value, as Python's own formatting does."""
    if value is None:
        return "-"
    if isinstance(value, float):
        value = Decimal(value)
    digits = ("#" if trim else "0") * decimals
    with localcontext() as context:  # a float's exact value may have hundreds of digits (1e300 in a cell)
        context.prec = 400
        return format_decimal(value, f"#,##0{'.' + digits if digits else ''}", locale=LOCALE)


def id_pct(value) -> str:
    """A percentage's figure to 2 decimals, without the sign: '144,40'; None is '-'."""
    return id_number(value, 2)


def id_date(day: date | None) -> str:
    """'4 Juni 2024'; None is '-'."""
    return "-" if day is None else format_date(day, "d MMMM y", locale=LOCALE)


def id_day_month(day: date) -> str:
    """'4 Juni'."""
    return format_date(day, "d MMMM", locale=LOCALE)


def id_weekday(day: date) -> str:
    """'Selasa'."""
    return format_date(day, "EEEE", locale=LOCALE)


def id_time(moment: datetime) -> str:
    """The time of day in WIB: '11.26'."""
    return format_datetime(moment.astimezone(WIB), "HH.mm", locale=LOCALE)


def id_date_time(moment: datetime) -> str:
    """A date and time in WIB, short: '04-06-2024 11.26'."""
    return format_datetime(moment.astimezone(WIB), "dd-MM-y HH.mm", locale=LOCALE)


def id_moment(moment: datetime | None) -> str:
    """'4 Juni 2024, 11.26 WIB' (a naive timestamp is taken as UTC); None is '-'."""
    if moment is None:
        return "-"
    local = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(WIB)
    return f"{id_date(local.date())}, {id_time(local)} WIB"


def chart_locales() -> tuple[dict, dict]:
    """(number format, time format) of the charts' renderer (d3's locale definitions), from the same locale."""
    days = get_day_names("wide", locale=LOCALE)  # 0 is Monday; d3 starts on Sunday
    short_days = get_day_names("abbreviated", locale=LOCALE)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    number = {"decimal": get_decimal_symbol(LOCALE), "thousands": get_group_symbol(LOCALE), "grouping": [3],
              "currency": ["Rp", ""]}
    time = {"dateTime": "%A, %e %B %Y pukul %H.%M.%S", "date": "%d/%m/%Y", "time": "%H.%M.%S",
            "periods": ["AM", "PM"], "days": [days[d] for d in sunday_first],
            "shortDays": [short_days[d] for d in sunday_first],
            "months": list(get_month_names("wide", locale=LOCALE).values()),
            "shortMonths": list(get_month_names("abbreviated", locale=LOCALE).values())}
    return number, time


@cache
def labels(group: str) -> dict[str, str]:
    """{key: words} of one group of data/labels.csv ('level': {'regency': 'kabupaten/kota', ...})."""
    with LABELS_CSV.open(newline="", encoding="utf-8") as file:
        found = {r["key"]: r["label"] for r in csv.DictReader(line for line in file if not line.startswith("#"))
                 if r["group"] == group}
    if not found:
        raise KeyError(f"no labels of group {group!r} in {LABELS_CSV.name}")
    return found


LEVEL_WORDS = labels("level")  # levels as a data officer reads them in a sentence
