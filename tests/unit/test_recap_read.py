"""Reading recap files as they arrive: CSV in any encoding and separator, XLSX with merged headers."""

import math

import pytest

from kbetl.sources.recaps.grid import UnreadableFile
from kbetl.sources.recaps.read import ROW_INFO, RecapStructureError, read_recap
from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252, write_xlsx

FULL_ROW = "Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.282;152,13%"


def figures(extract, source_row):
    row = extract.rows.set_index("source_row").loc[source_row].drop(list(ROW_INFO))
    return {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()}


def test_semicolon_windows1252_title_two_row_header_total_row_and_notes(tmp_path):
    path = write_semicolon_cp1252(tmp_path / "bengkulu.csv", bengkulu_rows(
        FULL_ROW, "Kab. Muko Muko;1.000;;;;;;;;1.344;134,40",
        "Kota Bengkulu;2.000;-;-;2.000;488;0;0;0;2.488;124,40", total=";4.500;;;;;;;;6.114;135,87"))
    extract = read_recap(path)
    assert (extract.campaign_year, extract.parent_name, extract.row_level) == (2022, "BENGKULU", "regency")
    assert extract.header_row == 3
    assert extract.columns["total"] == "Jumlah" and extract.columns["iud"] == "IUD"
    assert figures(extract, 5) == {
        "is_total_row": False, "region_name": "Bengkulu Selatan", "target": 1500.0, "pill": 200.0,
        "condom": 100.0, "injectable": 1000.0, "iud": 300.0, "implant": 600.0, "mow": 50.0, "mop": 32.0,
        "total": 2282.0, "pct": 152.13}
    assert figures(extract, 7)["pill"] == 0.0, "'-' is zero"
    assert figures(extract, 6)["pill"] is None, "an empty method cell stays unknown"
    total = figures(extract, 8)
    assert total["is_total_row"] and total["region_name"] == "JUMLAH PROVINSI" and total["total"] == 6114.0
    assert [r for r in extract.skipped_rows if r[1] == "note"] == [(9, "note", "Sumber: Perwakilan BKKBN")]


def test_windows1252_characters_survive(tmp_path):
    path = write_semicolon_cp1252(tmp_path / "r.csv", bengkulu_rows("Kaur – pesisir;10;;;;;;;;12;"))
    assert read_recap(path).rows["region_name"].iloc[0] == "Kaur – pesisir"


def test_comma_csv_with_bom_and_english_headers(tmp_path):
    path = tmp_path / "en.csv"
    path.write_bytes("\ufeffPSA recap, Kalimantan Selatan 2023\nRegency,Target,Pill,Condom,Injectable,IUD,Implant,"
                     "MOW,MOP,Total,%\nHST,2000,1,2,3,4,5,6,7,28,\"1,40\"\nTotal,2000,1,2,3,4,5,6,7,28,1.40%\n"
                     .encode("utf-8"))
    extract = read_recap(path, region="Kalimantan Selatan")
    assert extract.campaign_year == 2023 and extract.parent_name == "Kalimantan Selatan"
    assert extract.row_level == "regency"
    assert figures(extract, 3)["region_name"] == "HST" and figures(extract, 3)["mop"] == 7.0
    assert figures(extract, 3)["pct"] == pytest.approx(1.40)
    assert figures(extract, 4)["is_total_row"]


def test_xlsx_with_merged_two_row_header_numeric_cells_and_percent_format(tmp_path):
    rows = [
        ["REKAPITULASI PSA PROVINSI SUMATERA SELATAN TAHUN 2024"], [],
        ["NO", "KABUPATEN/KOTA", "SASARAN (PPM)", "HASIL PELAYANAN", None, None, None, None, None, None,
         "JUMLAH", "PERSENTASE"],
        [None, None, None, "PIL", "KONDOM", "SUNTIK", "AKDR", "IMPLANT", "TUBEKTOMI", "VASEKTOMI"],
        [1, "OGAN KOMERING ILIR", 4000, 500, 300, 2500, 700, 1200, 100, 60, 5360, 1.34],
        [None, "JUMLAH", 4000, 500, 300, 2500, 700, 1200, 100, 60, 5360, 1.34],
    ]
    path = write_xlsx(tmp_path / "sumsel.xlsx", rows, merges=("A1:L1", "A3:A4", "B3:B4", "C3:C4", "D3:J3",
                                                               "K3:K4", "L3:L4"), percent_column=12)
    extract = read_recap(path)
    assert (extract.campaign_year, extract.parent_name) == (2024, "SUMATERA SELATAN")
    assert extract.columns == {"region": "KABUPATEN/KOTA", "target": "SASARAN (PPM)", "pill": "PIL",
                               "condom": "KONDOM", "injectable": "SUNTIK", "iud": "AKDR", "implant": "IMPLANT",
                               "mow": "TUBEKTOMI", "mop": "VASEKTOMI", "total": "JUMLAH", "pct": "PERSENTASE"}
    oki = figures(extract, 5)
    assert (oki["target"], oki["total"], oki["mop"]) == (4000.0, 5360.0, 60.0)
    assert oki["pct"] == pytest.approx(134.0), "a percent-formatted 1.34 is 134%"
    assert figures(extract, 6)["is_total_row"]


def test_national_recap_rows_are_provinces(tmp_path):
    path = tmp_path / "nasional.csv"
    path.write_text("REKAPITULASI NASIONAL PSA TAHUN 2021\nNo;Provinsi;Target;Capaian;%\n"
                    "1;Kalsel;31.155;39.418;126,52\n;TOTAL NASIONAL;31.155;39.418;126,52\n")
    extract = read_recap(path)
    assert extract.row_level == "province" and extract.parent_name is None
    assert extract.columns["total"] == "Capaian"
    assert figures(extract, 3)["total"] == 39418.0 and figures(extract, 4)["is_total_row"]


@pytest.mark.parametrize("label, field", [
    ("Provinsi", "region"), ("Kabupaten/Kota", "region"), ("Kab/Kota", "region"), ("Wilayah", "region"),
    ("Sasaran", "target"), ("Target", "target"), ("PPM", "target"),
    ("Pil", "pill"), ("Kondom", "condom"), ("Suntik", "injectable"), ("IUD", "iud"), ("AKDR", "iud"),
    ("Implan", "implant"), ("Implant", "implant"), ("MOW", "mow"), ("Tubektomi", "mow"), ("MOP", "mop"),
    ("Vasektomi", "mop"), ("Jumlah", "total"), ("Total", "total"), ("Capaian", "total"),
    ("%", "pct"), ("% Capaian", "pct"), ("Persentase", "pct"),
])
def test_header_variants(tmp_path, label, field):
    region = "Wilayah" if field != "region" else label
    other = "Target" if field != "target" else "Jumlah"
    header = f"{region};{label};{other}" if field != "region" else f"{label};Jumlah"
    path = tmp_path / "h.csv"
    path.write_text(f"PSA 2024 PROVINSI BENGKULU\n{header}\nKaur;1;2\n")
    assert read_recap(path).columns[field] == label


def test_command_line_year_and_region_override_the_title(tmp_path):
    path = write_semicolon_cp1252(tmp_path / "r.csv", bengkulu_rows(FULL_ROW))
    extract = read_recap(path, year=2023, region="Lampung")
    assert (extract.campaign_year, extract.parent_name) == (2023, "Lampung")


def test_text_in_a_number_cell_is_kept_for_validation_to_name(tmp_path):
    path = write_semicolon_cp1252(tmp_path / "r.csv", bengkulu_rows("Kaur;1.000;;;;;;;;5.000 lebih;"))
    assert figures(read_recap(path), 5)["total"] == "5.000 lebih"


def test_file_without_a_region_column_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Laporan 2022\nNama;Sasaran;Jumlah\nKaur;1;2\n")
    with pytest.raises(RecapStructureError, match=r"r.csv: tidak ada baris judul kolom dengan kolom wilayah"):
        read_recap(path)


def test_file_without_number_columns_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("PSA 2022\nKabupaten/Kota;Keterangan\nKaur;lapor\n")
    with pytest.raises(RecapStructureError,
                       match=r"r.csv: baris judul kolom 2 memuat kolom wilayah tetapi tanpa kolom angka"):
        read_recap(path)


def test_damaged_xlsx_is_refused(tmp_path):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UnreadableFile, match="rusak.xlsx: bukan buku kerja XLSX yang dapat dibaca"):
        read_recap(path)
