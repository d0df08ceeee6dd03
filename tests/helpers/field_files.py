"""Files as kabupaten offices and Satu Data portals hold them (issue 25): a trend table whose rows are years,
a long export with Indonesian thousands dots and a trailing comma, a count of new acceptors."""

from pathlib import Path

from tests.helpers.recap_files import BANTUL_USERS, LONG_SPELLINGS

YEAR_ROWS_HEADER = "Tahun,AKDR,MOW,MOP,Implan,Suntikan,Pil,Kondom,Total_Peserta"
# a kabupaten's current users by year and method (AKDR, MOW, MOP, Implan, Suntikan, Pil, Kondom)
BANTUL_BY_YEAR = {2020: (5104, 928, 232, 2784, 11600, 1856, 696), 2021: (5210, 940, 240, 2800, 11700, 1900, 700),
                  2022: (5300, 950, 245, 2850, 11800, 1950, 710), 2023: (5400, 960, 250, 2900, 11900, 2000, 720),
                  2024: (5500, 970, 255, 2950, 12000, 2050, 730)}


def write_year_rows(path: Path, title: str | None = None, by_year: dict = BANTUL_BY_YEAR,
                    wrong_total: dict[int, int] | None = None) -> Path:
    """One region's figures, one row per year, a Total_Peserta column (wrong_total: year -> a total written
    instead of the methods' sum)."""
    lines = ([title] if title else []) + [YEAR_ROWS_HEADER]
    for year, methods in by_year.items():
        total = (wrong_total or {}).get(year, sum(methods))
        lines.append(",".join(map(str, (year, *methods, total))))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def long_figure(kecamatan: str, year: int, share: int) -> int:
    """A method's figure in the long file: the kecamatan's users growing 5% a year, the method's share of them."""
    return BANTUL_USERS[kecamatan] * (100 + 5 * (year - 2020)) // 100 * share // 100 * 10


def users_by_method_lines(dotted: bool = False, trailing: bool = False, copy: tuple | None = None,
                          copied_methods: int = len(LONG_SPELLINGS)) -> list[str]:
    """The long current-users file of Bantul per kecamatan, 2020–2024 (Kecamatan,Tahun,Jenis_Kontrasepsi,
    Jumlah_Peserta). dotted: Indonesian thousands dots (8.360); trailing: a comma
    ending every line (an empty fifth column) and one stray number in it; copy: (year, from, to), the figures of
    one kecamatan written again for another that year, in its first copied_methods methods."""
    lines = ["Kecamatan,Tahun,Jenis_Kontrasepsi,Jumlah_Peserta" + ("," if trailing else "")]
    for year in range(2020, 2025):
        for name, users in BANTUL_USERS.items():
            copied = copy and (year, name) == (copy[0], copy[2])
            for number, (method, share) in enumerate(LONG_SPELLINGS):
                figure = long_figure(copy[1] if copied and number < copied_methods else name, year, share)
                cell = _dotted(figure) if dotted else str(figure)
                lines.append(f"{name},{year},{method},{cell}" + ("," if trailing else ""))
    if trailing:
        lines[7] += "17"
    return lines


def write_users_by_method(path: Path, **shape) -> Path:
    path.write_text("\n".join(users_by_method_lines(**shape)) + "\n", encoding="utf-8")
    return path


NEW_USERS_TITLE = "JUMLAH PESERTA KB BARU MENURUT KECAMATAN KABUPATEN BANTUL TAHUN 2022"
# kecamatan: PPM PB (the target of new acceptors), then AKDR, MOW, MOP, Implan, Suntikan, Pil, Kondom
BANTUL_NEW_USERS = {"Srandakan": (400, 40, 5, 1, 30, 200, 60, 20), "Sanden": (420, 38, 6, 0, 35, 220, 70, 25),
                    "Sewon": (900, 90, 12, 2, 70, 450, 140, 50)}


def write_new_users(path: Path, title: str = NEW_USERS_TITLE) -> Path:
    """A kabupaten's count of new acceptors (peserta KB baru) per kecamatan, told by its title and its PB
    columns, with a total row."""
    lines = [title, "No;Kecamatan;PPM PB;AKDR;MOW;MOP;Implan;Suntikan;Pil;Kondom;Jumlah PB"]
    for number, (name, (target, *methods)) in enumerate(BANTUL_NEW_USERS.items(), 1):
        lines.append(";".join(map(str, (number, name, target, *methods, sum(methods)))))
    columns = list(zip(*BANTUL_NEW_USERS.values()))
    lines.append(";".join(map(str, ("", "JUMLAH", *map(sum, columns), sum(map(sum, columns[1:]))))))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
