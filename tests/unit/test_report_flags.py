"""The short reasons and partial labels people read beside a figure in doubt (kbetl/reports/flags.py)."""

from kbetl.reports.flags import Issue, QualityNotes, partial_label, reason


def test_a_reason_gives_the_figures_of_the_issue_and_what_to_check():
    jump = Issue(value=4641.0, reference_value=1444.0, subject="2021, 2022, 2023")
    assert reason("target_vs_history", jump, "Sasaran vs tahun sebelumnya") == (
        "sasaran 3,2× rata-rata 3 kampanye sebelumnya; periksa sasaran")
    assert reason("achieved_vs_history", Issue(900.0, 300.0, "2023"), "x") == (
        "capaian 3,0× rata-rata 1 kampanye sebelumnya; periksa capaian")
    assert reason("recap_vs_facility", Issue(43843.0, 52612.0, "00_nasional_2024.csv"), "x") == (
        "rekap 52.612 akseptor, laporan faskes 43.843; periksa rekap")
    assert reason("a_check_added_later", Issue(1.0, 2.0, None), "Judul baru") == "Judul baru"
    assert reason("target_vs_history", None, "Sasaran vs tahun sebelumnya") == "Sasaran vs tahun sebelumnya"


def test_blocking_causes_come_first_and_titles_replace_check_ids():
    notes = QualityNotes(titles={"regency_achievement_outlier": "Pencilan capaian kab/kota",
                                 "target_vs_history": "Sasaran vs tahun sebelumnya", "on_time_rate": "Ketepatan waktu"},
                         blocking={"regency_achievement_outlier", "target_vs_history"},
                         flags={"1705": ["on_time_rate", "regency_achievement_outlier", "target_vs_history"]})
    assert notes.mark(notes.of("1705"), False) == (
        "⚠ Sasaran vs tahun sebelumnya, Pencilan capaian kab/kota, Ketepatan waktu (tidak layak juara)")
    assert notes.mark([], True) == ""
    assert notes.reasons("1705", blocking_only=True) == ["Sasaran vs tahun sebelumnya", "Pencilan capaian kab/kota"]


def test_an_aggregate_of_part_of_its_children_says_how_many():
    assert partial_label("Indonesia", 3, 38, "national") == "Indonesia (3 dari 38 provinsi)"
    assert partial_label("Bengkulu", 10, 10, "province") == "Bengkulu"
    assert partial_label("Bengkulu", None, None, "province") == "Bengkulu"
