"""Numeric settings read from the environment (KBETL_* limits and deadlines): a value that is set must be a
positive number of the right kind, or it is refused with one sentence naming the setting; never silently
replaced by the default. The CLI reads every one of them first (kbetl.cli_options.check_settings), so that a
command refuses a garbage setting before anything starts."""

import math
import os
import re

_INTEGER = re.compile(r"^\d+$")


class SettingError(ValueError):
    """A KBETL_* setting that is set to something that is not a usable value (the message is for people)."""


def positive_int(name: str, default: int) -> int:
    """A whole number above zero ('_' allowed between digits: 20_000_000), else the default when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    digits = raw.replace("_", "")
    if not _INTEGER.match(digits) or int(digits) <= 0:
        raise SettingError(f"{name}={raw!r} ditolak: isilah bilangan bulat positif (misalnya {default}) "
                           "atau kosongkan agar nilai bawaannya dipakai.")
    return int(digits)


def positive_number(name: str, default: float) -> float:
    """A finite number above zero (decimals allowed: 90, 2.5), else the default when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise SettingError(f"{name}={raw!r} ditolak: isilah angka positif (misalnya {default:g}) "
                           "atau kosongkan agar nilai bawaannya dipakai.")
    return number

