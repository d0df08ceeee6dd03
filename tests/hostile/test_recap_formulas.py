"""Formula-looking text from a file name reaches people's exports neutralised (OWASP: a leading ') in
the marts; raw and audit keep the original."""

import csv

import pytest

from tests.helpers.recap_files import bengkulu_rows, write_semicolon_cp1252
from tests.helpers.warehouse import ingest, query

GOOD = ("Bengkulu Selatan;1.500;200;100;1.000;300;600;50;32;2.282;152,13",
        "Kota Bengkulu;2.000;-;-;2.000;488;0;0;0;2.488;124,40")
TOTAL = ";3.500;200;100;3.000;788;600;50;32;4.770;136,29"
NAMES = ['=HYPERLINK("x.example","2022").csv', "=cmd|' calc'!A0 2022.csv", "+1 2022.csv",
         "-2 2022.csv", "@SUM(1) 2022.csv", "\t2022.csv", "\r2022.csv"]


@pytest.mark.parametrize("name", NAMES)
def test_file_name_is_neutralised_in_the_marts_and_kept_in_raw(tmp_path, db, name):
    path = write_semicolon_cp1252(tmp_path / name, bengkulu_rows(*GOOD, total=TOTAL))
    summary = ingest(db, path)
    assert not summary.refused
    assert query(db, "select file_name from raw.landed_files") == [(name,)]
    assert query(db, "select file_name from marts.recap_files") == [("'" + name,)]
    assert set(query(db, "select source_file from marts.achievement where source_file is not null")) == {
        ("'" + name,)}


def test_csv_export_of_the_marts_starts_no_cell_with_a_formula(tmp_path, db):
    path = write_semicolon_cp1252(tmp_path / NAMES[1], bengkulu_rows(*GOOD, total=TOTAL))
    ingest(db, path)
    out = tmp_path / "export.csv"
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("copy (select * from marts.recap_files) to ? (header)", [str(out)])
    finally:
        con.close()
    with out.open(newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_ordinary_names_are_unchanged(tmp_path, db):
    path = write_semicolon_cp1252(tmp_path / "17_bengkulu.csv", bengkulu_rows(*GOOD, total=TOTAL))
    ingest(db, path)
    assert query(db, "select file_name from marts.recap_files") == [("17_bengkulu.csv",)]
