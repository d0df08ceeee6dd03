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
