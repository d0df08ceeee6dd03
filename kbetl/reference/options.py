"""Region options of the commands (`--province`, `--provinces`, `--regency`): a code or a name, resolved on
the map of the year the command is about. A code that is no region of that level on the map, a name that
fits none or several (with the candidates), or an empty item of a list is an OptionError whose message is
one sentence in Bahasa Indonesia naming the option."""

from kbetl.reference.indonesian import LEVEL_WORDS
from kbetl.reference.names import RegionNotResolved, matcher_for
from kbetl.reference.regions import regions_on_map
from kbetl.reference.tables import region_map_for_report_year


class OptionError(ValueError):
    """An option value that names no region, or is not usable (the message is for people)."""


def region_code(option: str, value: str, level: str, year: int, within: str | None = None) -> str:
    """The code of the province or kabupaten/kota `value` (a code or a name) on the map of `year`, within
    the province `within` when given."""
    map_version = region_map_for_report_year(year)
    text = value.strip()
    if not text:
        raise OptionError(f"{option} kosong: tulis kode atau nama {LEVEL_WORDS[level]}.")
    if text.isdigit():
        regions = regions_on_map(map_version)
        found = regions[(regions["region_code"] == text) & (regions["level"] == level)]
        if found.empty or (within and found["parent_code"].iloc[0] != within):
            where = f" di provinsi {within}" if within else ""
            raise OptionError(f"{option} {text}: bukan kode {LEVEL_WORDS[level]}{where} pada peta "
                              f"{map_version} provinsi (tahun {year}).")
        return text
    try:
        return matcher_for(map_version, level).resolve(text, within).code
    except RegionNotResolved as exc:
        raise OptionError(f"{option}: {exc} (peta {map_version} provinsi, tahun {year}).") from None


def province_codes(option: str, text: str, years: list[int]) -> list[str]:
    """Comma-separated province codes or names ('16,Bengkulu'), each a province on the map of every one of
    `years`; in the order given, without repeats."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise OptionError(f"{option} {text!r} memuat butir kosong: tulis kode atau nama provinsi dipisah koma, "
                          "misalnya 16,17 atau 16,Bengkulu.")
    codes = [region_code(option, item, "province", years[0]) for item in items]
    for year in years[1:]:
        for item, code in zip(items, codes):
            if region_code(option, item, "province", year) != code:
                raise OptionError(f"{option} {item}: menunjuk provinsi yang berbeda pada peta tahun {years[0]} "
                                  f"dan {year}; jalankan tahun-tahun itu terpisah.")
    return list(dict.fromkeys(codes))
