"""What people read says numbers, dates and the words of levels one way, from one module (Babel, id_ID),
and the library changes no pandas option for the whole process when it is imported."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pandas as pd

from kbetl.reference.indonesian import (
    CHILD_LEVEL,
    LEVEL_WORDS,
    LEVELS,
    PARENT_LEVEL,
    id_date,
    id_date_time,
    id_day_month,
    id_moment,
    id_number,
    id_pct,
    id_time,
    id_weekday,
    labels,
)


def test_numbers_and_percentages_the_indonesian_way():
    assert [id_number(17974), id_number(-1234567), id_number(0), id_number(None)] == ["17.974", "-1.234.567", "0", "-"]
    assert [id_pct(Decimal("144.4")), id_pct(144.4), id_pct(99.995), id_pct(None)] == ["144,40", "144,40", "100,00",
                                                                                       "-"]
    assert [id_number(2.5, 4, trim=True), id_number(5.0, 4, trim=True), id_number(1234.56, 1)] == ["2,5", "5",
                                                                                                  "1.234,6"]


def test_a_float_rounds_as_python_formats_it():
    for value in (0.125, 0.135, 0.165, 2.675, 1e6 / 3):
        assert id_number(value, 2) == f"{value:,.2f}".translate(str.maketrans(",.", ".,"))


def test_dates_and_times_in_wib():
    moment = datetime(2024, 6, 4, 17, 26, tzinfo=timezone.utc)  # 00.26 on 5 June in WIB
    assert [id_date(date(2024, 6, 4)), id_day_month(date(2024, 8, 17)), id_weekday(date(2024, 6, 7))] == [
        "4 Juni 2024", "17 Agustus", "Jumat"]
    assert [id_time(moment), id_date_time(moment), id_moment(moment.replace(tzinfo=None))] == [
        "00.26", "05-06-2024 00.26", "5 Juni 2024, 00.26 WIB"]
    assert id_date(None) == id_moment(None) == "-"


def test_every_level_has_its_words_and_the_hierarchy_runs_both_ways():
    assert list(LEVEL_WORDS) == list(LEVELS) == list(labels("children")) + ["district"]
    assert LEVEL_WORDS["regency"] == "kabupaten/kota"
    assert all(PARENT_LEVEL[child] == parent for parent, child in CHILD_LEVEL.items())
    assert set(labels("level_heading")) <= set(LEVELS) and set(labels("kind")) == set(labels("kind_file"))


def test_the_library_leaves_pandas_string_storage_as_pandas_sets_it(tmp_path):
    import kbetl.cli  # noqa: F401  (the whole library, as a command imports it)
    from kbetl.sources.recaps.stage import stage_recap

    path = tmp_path / "16_sumatera_selatan.csv"
    path.write_text("Capaian PSA 2024\nNo;Kabupaten/Kota;Sasaran;Capaian\n1;Kota Palembang;1.000;900\n")
    stage_recap(path)  # reads the recap with Python string storage, then gives the setting back
    assert pd.options.mode.string_storage == "auto"


def test_files_staged_on_several_threads_at_once_leave_the_string_storage_as_it_was(tmp_path):
    """A flow's tasks stage files on threads: the setting each changes for itself is the process's."""
    from concurrent.futures import ThreadPoolExecutor

    from kbetl.sources.recaps.stage import stage_recap

    paths = []
    for number in range(16):
        path = tmp_path / str(number) / "16_sumatera_selatan.csv"
        path.parent.mkdir()
        path.write_text("REKAPITULASI PSA PROVINSI SUMATERA SELATAN TAHUN 2024\n"
                        "No;Kabupaten/Kota;Sasaran;Capaian\n1;Kota Palembang;1.000;900\n")
        paths.append(path)
    with ThreadPoolExecutor(8) as pool:
        staged = list(pool.map(stage_recap, paths))
    assert all(item.recap is not None for item in staged)
    assert pd.options.mode.string_storage == "auto"


def test_a_float_of_any_size_is_written_out_the_indonesian_way():
    # a cell may hold any float: its exact value has up to 309 digits before the comma
    assert id_number(-1.0000000000000005e24, 4, trim=True) == "-1.000.000.000.000.000.520.093.696"
    assert id_number(1.7976931348623157e308).replace(".", "") == str(int(1.7976931348623157e308))
