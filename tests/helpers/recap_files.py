"""Small recap files written byte for byte, each named for the trap it shows."""

from pathlib import Path

from openpyxl import Workbook

BENGKULU_TITLE = "REKAPITULASI HASIL PELAYANAN KB SERENTAK SEJUTA AKSEPTOR PROVINSI BENGKULU TAHUN 2022"
HEADER_TWO_ROWS = ("No;Kabupaten/Kota;Sasaran;Capaian;;;;;;;Jumlah;% Capaian\r\n"
                   ";;;Pil;Kondom;Suntik;IUD;Implan;MOW;MOP;;\r\n")


def write_semicolon_cp1252(path: Path, body: str, title: str = BENGKULU_TITLE) -> Path:
    """As Excel saves 'CSV' under an Indonesian locale: ';', Windows-1252, CRLF, title rows."""
    text = f"{title};;;;;;;;;;;\r\n;;;;;;;;;;;\r\n{HEADER_TWO_ROWS}{body}"
    path.write_bytes(text.encode("cp1252"))
    return path


def bengkulu_rows(*rows: str, total: str | None = None, notes: str = "Sumber: Perwakilan BKKBN;;;;;;;;;;;\r\n") -> str:
    body = "".join(f"{i};{row}\r\n" for i, row in enumerate(rows, 1))
    if total is not None:
        body += f"JUMLAH PROVINSI;{total}\r\n"
    return body + notes


def write_xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = (), percent_column: int | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
        if percent_column and len(row) >= percent_column and isinstance(row[percent_column - 1], float):
            sheet.cell(sheet.max_row, percent_column).number_format = "0.00%"
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


# --- kecamatan recaps, open-data exports and current-users reports (issue 10) -----------------------------

KECAMATAN_HEADER = "No;{label};Sasaran;Pil;Kondom;Suntik;IUD;Implan;MOW;MOP;Jumlah;% Capaian"


def kecamatan_row(name: str, target: int, pill: int, condom: int, injectable: int, iud: int, implant: int,
                  mow: int = 0, mop: int = 0, pct: str | None = None) -> tuple:
    """A kecamatan's figures; the total is the methods' sum and the stated % is computed as an office would."""
    total = pill + condom + injectable + iud + implant + mow + mop
    stated = pct if pct is not None else f"{round(100 * total / target, 2):.2f}".replace(".", ",")
    return (name, target, pill, condom, injectable, iud, implant, mow, mop, total, stated)


def _dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def write_kecamatan_recap(path: Path, title: str, rows: list[tuple], label: str = "Kecamatan",
                          total_label: str | None = "JUMLAH") -> Path:
    """A kabupaten/kota office's PSA recap of its kecamatan: ';', Indonesian numbers, a title, a total row.
    XLSX when the path ends in .xlsx (numbers as numbers)."""
    totals = [sum(r[i] for r in rows) for i in range(1, 10)]
    total_pct = f"{round(100 * totals[-1] / totals[0], 2):.2f}".replace(".", ",")
    if path.suffix == ".xlsx":
        grid = [[title], [], KECAMATAN_HEADER.format(label=label).split(";")]
        grid += [[i, *r[:10], float(r[10].replace(",", "."))] for i, r in enumerate(rows, 1)]
        if total_label:
            grid.append([None, total_label, *totals, float(total_pct.replace(",", "."))])
        return write_xlsx(path, grid)
    lines = [f"{title};;;;;;;;;;;", ";;;;;;;;;;;", KECAMATAN_HEADER.format(label=label)]
    lines += [f"{i};{r[0]};" + ";".join(_dotted(v) for v in r[1:10]) + f";{r[10]}" for i, r in enumerate(rows, 1)]
    if total_label:
        lines.append(f";{total_label};" + ";".join(_dotted(v) for v in totals) + f";{total_pct}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


BANTUL_KAPANEWON = (  # kapanewon as the portal writes them; target and current users (KB aktif)
    ("Srandakan", 5000, 3800), ("Sanden", 5200, 4433), ("Kretek", 5100, 4350), ("Pundong", 5300, 4520),
    ("Bambang Lipuro", 6200, 5288), ("Pandak", 7800, 6650), ("Pajangan", 5600, 4777), ("Bantul", 9000, 7671),
    ("Jetis", 8500, 7245), ("Imogiri", 9100, 7756), ("Dlingo", 6000, 5115), ("Banguntapan", 15000, 12786),
    ("Pleret", 7300, 6223), ("Piyungan", 8200, 6990), ("Sewon", 14000, 11934), ("Kasihan", 13500, 11508),
    ("Sedayu", 7400, 6308),
)
OPEN_DATA_HEADER = ("tahun,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,kapanewon,"
                    "metode_kb_aktif_iud,metode_kb_aktif_mow,metode_kb_aktif_mop,metode_kb_aktif_implan,"
                    "metode_kb_aktif_suntik,metode_kb_aktif_pil,metode_kb_aktif_kondom,jumlah_peserta_kb_aktif,"
                    "target_peserta_kb_aktif,persentase_peserta_kb_aktif,satuan")


def bantul_method_split(users: int) -> dict[str, int]:
    """A plausible split of a kapanewon's current users over the methods (they add up to users)."""
    iud, mow, mop, implant = users * 22 // 100, users * 4 // 100, users // 100, users * 12 // 100
    pill, condom = users * 8 // 100, users * 3 // 100
    return {"iud": iud, "mow": mow, "mop": mop, "implant": implant,
            "injectable": users - iud - mow - mop - implant - pill - condom, "pill": pill, "condom": condom}


def write_bantul_current_users(path: Path, year: int = 2022) -> Path:
    """A Satu Data portal's export of current contraceptive users (peserta KB aktif) per kapanewon of
    Kabupaten Bantul: snake_case headers, ',' separated, percentages with a decimal comma (quoted, as the
    separator is a comma) and one bare integer ("76"), a unit column."""
    lines = [OPEN_DATA_HEADER]
    for name, target, users in BANTUL_KAPANEWON:
        split = bantul_method_split(users)
        pct = round(100 * users / target, 2)
        written = str(int(pct)) if pct == int(pct) else '"' + f"{pct:.2f}".rstrip("0").replace(".", ",") + '"'
        lines.append(f"{year},34,DAERAH ISTIMEWA YOGYAKARTA,3402,BANTUL,{name},{split['iud']},{split['mow']},"
                     f"{split['mop']},{split['implant']},{split['injectable']},{split['pill']},{split['condom']},"
                     f"{users},{target},{written},ORANG")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


LONG_METHODS = (("IUD", "iud"), ("MOW", "mow"), ("MOP", "mop"), ("Implan", "implant"), ("Suntik", "injectable"),
                ("Pil", "pill"), ("Kondom", "condom"))


def write_long_export(path: Path, years: dict[int, dict[str, int]]) -> Path:
    """A tidy export: one row per year × kapanewon × method (metode_kontrasepsi, jumlah_peserta), for
    Kabupaten Bantul; `years` maps a year to {kapanewon: current users}."""
    lines = ["tahun,kode_kabupaten_kota,nama_kabupaten_kota,kapanewon,metode_kontrasepsi,jumlah_peserta,satuan"]
    for year, users_by_name in years.items():
        for name, users in users_by_name.items():
            split = bantul_method_split(users)
            lines += [f"{year},34.02,Kabupaten Bantul,{name},{written},{split[code]},orang"
                      for written, code in LONG_METHODS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- versions of one recap scope (issue 19) ---------------------------------------------------------------

KALSEL_2024 = Path(__file__).resolve().parents[2] / "data" / "sample" / "2024" / "63_kalimantan_selatan.csv"


def worse_kalsel_resend(folder: Path) -> Path:
    """Kalimantan Selatan's 2024 recap sent again, worse: one unreadable number (Kotabaru's target), one
    misspelt kabupaten (Tabalong), one row left out (HSS); and Tanah Laut corrected."""
    text = KALSEL_2024.read_text()
    text = text.replace("2;Kotabaru;1.607;", "2;Kotabaru;1.6O7;")
    text = text.replace("9;Tabalong;", "9;Tabalng;")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("6;HSS;")) + "\n"
    text = text.replace("1;TanahLaut;3.732;550;", "1;TanahLaut;3.732;560;").replace(";5.197;139,26", ";5.207;139,52")
    path = folder / "63_kalimantan_selatan_kirim_ulang.csv"
    path.write_text(text)
    return path


# --- files given the wrong scope or of an untold kind (issue 19) --------------------------------------------

HST_KECAMATAN = ["Haruyan", "Batu Benawa", "Labuan Amas Selatan", "Labuan Amas Utara", "Pandawan", "Barabai",
                 "Batang Alai Selatan", "Batang Alai Utara", "Hantakan", "Batang Alai Timur", "Limpasu"]
HST_ALL_ROWS = [kecamatan_row(name, 100, 30, 10, 70, 20, 30) for name in HST_KECAMATAN]  # 160% each
HST_FULL_TITLE = "REKAPITULASI HASIL PELAYANAN KB SERENTAK SEJUTA AKSEPTOR KABUPATEN HULU SUNGAI TENGAH TAHUN 2024"

BANTUL_USERS = {"Srandakan": 3800, "Sanden": 4433, "Kretek": 4350, "Pundong": 4520, "Sewon": 11934}
LONG_SPELLINGS = (("AKDR", 22), ("MOW", 4), ("MOP", 1), ("Implan", 12), ("Suntikan", 50), ("Pil", 8), ("Kondom", 3))


USERS_BY_METHOD_TITLE = "DATA PESERTA KB MENURUT KECAMATAN DAN JENIS KONTRASEPSI KABUPATEN BANTUL"


def write_users_by_method(path: Path, title: str = USERS_BY_METHOD_TITLE) -> Path:
    """A kabupaten's own export of current users for 2020–2024, long (one row per kecamatan, year and method),
    as offices keep them: no target, no word "aktif", methods spelt AKDR and Suntikan."""
    lines = [title, "Kecamatan,Tahun,Jenis_Kontrasepsi,Jumlah_Peserta"]
    for year in range(2020, 2025):
        for name, users in BANTUL_USERS.items():
            lines += [f"{name},{year},{method},{users * share // 100}" for method, share in LONG_SPELLINGS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
