"""`kbetl explain` on a warehouse built from real recaps of Bengkulu (2021–2024), a corrected 2024 recap that
supersedes the first, and the province's facility reports pulled from the reference API."""

import shutil

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import running_server
from kbetl.cli import cli
from kbetl.reference.indonesian import id_number, id_pct
from kbetl.runs import pull_reports
from kbetl.sources.report_api.client import TOKEN_ENV
from kbetl.warehouse.publish import published_path
from tests.helpers.recap_files import KALSEL_2024 as KALSEL
from tests.helpers.recap_files import worse_kalsel_resend
from tests.helpers.warehouse import SAMPLE_DIR, publish_recaps, query

TOKEN = "explain-token"
SELUMA_V1 = "5;SELUMA;4.641;365;107;848;215;459;96;147;2.237;48,20"
SELUMA_V2 = "5;SELUMA;1.520;365;107;848;215;459;96;147;2.237;147,17"  # the office corrects the target
TOTAL_V1 = "JUMLAH PROVINSI;;16.246;"
TOTAL_V2 = "JUMLAH PROVINSI;;13.125;"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Bengkulu's recaps of 2021–2024 and its 2024 facility reports, published; then the corrected 2024 recap."""
    root = tmp_path_factory.mktemp("explain")
    db = root / "work.duckdb"
    for year in (2021, 2022, 2023, 2024):
        (root / str(year)).mkdir()
        for path in (SAMPLE_DIR / str(year)).glob("17_*"):  # 2023 is a workbook
            shutil.copy(path, root / str(year))
    publish_recaps(db, *(root / str(y) for y in (2021, 2022, 2023, 2024)))
    with pytest.MonkeyPatch.context() as mp, running_server(generate_facility_data([2024], ["17"]),
                                                            TOKEN) as api:
        mp.setenv(TOKEN_ENV, TOKEN)
        pulled = pull_reports(db, 2024, ["17"], None, api.base_url, "test", publish_to=published_path(db))
    assert not pulled.failed
    first = explain(db, "Seluma")
    text = (SAMPLE_DIR / "2024" / "17_bengkulu.csv").read_bytes().decode("cp1252")
    assert SELUMA_V1 in text and TOTAL_V1 in text
    corrected = root / "koreksi" / "17_bengkulu_koreksi.csv"
    corrected.parent.mkdir()
    corrected.write_bytes(text.replace(SELUMA_V1, SELUMA_V2).replace(TOTAL_V1, TOTAL_V2).encode("cp1252"))
    publish_recaps(db, corrected)
    return db, first


def explain(db, region: str, year: int = 2024, working=None):
    result = CliRunner().invoke(cli, ["explain", "--year", str(year), "--region", region, "--db", str(working or db),
                                      "--publish-to", str(published_path(db))])
    return result


def test_a_regency_shows_the_file_row_and_every_version_with_what_each_said(warehouse):
    db, _ = warehouse
    result = explain(db, "1705")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Asal angka PSA 2024: Kab. Seluma (1705), kabupaten/kota"
    assert "  sasaran 1.520; capaian 2.237 (147,17%); MKJP 917 (40,99%)" in lines
    assert "  sumber: 17_bengkulu_koreksi.csv, CSV tanpa lembar, baris 9 (baris wilayah ini)" in lines
    versions = lines[lines.index("Versi rekap Bengkulu (17) 2024 (baris wilayah ini):") + 1:][:4]
    assert versions[0].startswith("  versi 1: 17_bengkulu.csv (digantikan)")
    assert versions[1] == "    CSV tanpa lembar, baris 9: sasaran 4.641; capaian 2.237 (48,20%)"
    assert versions[2].startswith("  versi 2: 17_bengkulu_koreksi.csv (berlaku)")
    assert versions[2].endswith("← angka yang dipakai")
    assert versions[3] == "    CSV tanpa lembar, baris 9: sasaran 1.520; capaian 2.237 (147,17%)"


def test_the_quality_flags_and_findings_are_those_of_the_published_quality_marts_with_their_titles(warehouse):
    db, before = warehouse
    assert before.exit_code == 0, before.output
    failing = query(published_path(db), "select c.title_id from marts.data_quality d join ref.quality_checks c "
                                        "using (check_name) where campaign_year = 2024 and region_code = '1705' "
                                        "and not passed")
    assert failing == [], "the corrected target passes the checks the first one failed"
    assert "  - Sasaran vs tahun sebelumnya (Antarwaktu): 1 baris bermasalah" in before.output.splitlines()
    assert "Sasaran 4.641 adalah 3,21× rata-rata 3 kampanye sebelumnya" in before.output
    assert "target_vs_history" not in before.output, "check ids are never shown raw"
    after = explain(db, "Seluma").output.splitlines()
    quality = after[after.index("Pemeriksaan kualitas yang tidak lolos (marts.data_quality):") + 1]
    assert quality == "  - tidak ada"


def test_a_province_shows_its_total_row_its_regencies_sum_and_the_facility_sum(warehouse):
    db, _ = warehouse
    result = explain(db, "Bengkulu")
    assert result.exit_code == 0, result.output
    recap, facilities, difference, pct = query(
        published_path(db), "select recap_achieved, facility_achieved, difference, difference_pct "
                            "from marts.reconciliation where campaign_year = 2024 and region_code = '17'")[0]
    lines = result.output.splitlines()
    assert lines[0] == "Asal angka PSA 2024: Bengkulu (17), provinsi"
    assert "  sumber: 17_bengkulu_koreksi.csv, CSV tanpa lembar, baris 15 (baris jumlah rekapnya sendiri)" in lines
    assert "Jumlah 10 kabupaten/kota di bawahnya (marts.achievement): sasaran 13.125; capaian 19.032 (145,01%)" \
        in lines
    assert (f"  rekap {id_number(recap)}; jumlah laporan faskes {id_number(facilities)}; selisih "
            f"{id_number(difference)} ({id_pct(pct)}%)") in lines


def test_a_workbook_names_the_sheet_the_figures_were_read_from(warehouse):
    db, _ = warehouse
    workbook = next((SAMPLE_DIR / "2023").glob("17_*.xlsx"))
    sheet = load_workbook(workbook, read_only=True).worksheets[0].title
    row = query(db, "select source_row from marts.achievement where campaign_year = 2023 and region_code = '1705'")
    result = explain(db, "1705", 2023)
    assert result.exit_code == 0, result.output
    assert f"  sumber: {workbook.name}, lembar {sheet!r}, baris {row[0][0]} (baris wilayah ini)" in result.output


def test_a_region_a_worse_resend_lacks_shows_the_earlier_version_its_figures_stay_from(tmp_path):
    db = tmp_path / "work.duckdb"
    publish_recaps(db, KALSEL)
    publish_recaps(db, worse_kalsel_resend(tmp_path))
    row = query(db, "select source_row from marts.achievement where campaign_year = 2024 and region_code = '6302'")
    result = explain(db, "Kotabaru")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (f"  sumber: {KALSEL.name}, CSV tanpa lembar, baris {row[0][0]} (baris wilayah ini pada versi sebelumnya "
            f"(versi yang berlaku tidak memuatnya atau mengarantinanya))") in lines
    versions = lines[lines.index("Versi rekap Kalimantan Selatan (63) 2024 (baris wilayah ini):") + 1:][:4]
    assert versions[0].startswith(f"  versi 1: {KALSEL.name} (digantikan)") and versions[0].endswith("dipakai")
    assert versions[1].startswith(f"    CSV tanpa lembar, baris {row[0][0]}: sasaran 1.607; capaian 1.634 (")
    assert versions[2].startswith("  versi 2: 63_kalimantan_selatan_kirim_ulang.csv (berlaku)")
    assert versions[3] == "    tidak memuat angka wilayah ini"


def test_without_the_working_database_the_rest_is_shown_and_it_says_what_is_missing(warehouse, tmp_path):
    db, _ = warehouse
    result = explain(db, "1705", working=tmp_path / "absent.duckdb")
    assert result.exit_code == 0, result.output
    assert f"    isinya tidak dapat dibaca: basis data kerja {tmp_path / 'absent.duckdb'} tidak ada" in result.output
    assert "  sasaran 1.520; capaian 2.237 (147,17%); MKJP 917 (40,99%)" in result.output


@pytest.mark.parametrize(("region", "year", "sentence"), [
    ("Atlantis", 2024, "nama wilayah 'Atlantis' tidak cocok dengan provinsi atau kabupaten/kota mana pun pada peta "
                       "38 (tahun 2024); yang paling mirip: "),
    ("9999", 2024, "kode wilayah 9999 tidak ada pada peta 38 (tahun 2024)"),
    ("Bali", 2024, "tidak ada angka PSA 2024 untuk Bali (51) di basis data terbitan"),
    ("17", 2019, "tidak ada kampanye PSA tahun 2019 di basis data terbitan"),
    ("17", 2020, "tidak ada angka PSA 2020 untuk Bengkulu (17) di basis data terbitan"),
])
def test_an_unknown_region_or_a_year_with_nothing_is_one_sentence_and_exit_1(warehouse, region, year, sentence):
    db, _ = warehouse
    result = explain(db, region, year)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {sentence}") and result.output.count("\n") == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
