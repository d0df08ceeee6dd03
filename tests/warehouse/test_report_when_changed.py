"""The campaign report is written again only when what it shows changed (the nightly run asks for that): the
same published figures leave the file as it was; a load that changes them, another scope or other bands
write it again."""

from dataclasses import replace

from kbetl.reports.campaign_report import write_campaign_report
from kbetl.reports.report_data import DEFAULT_BANDS
from kbetl.warehouse.publish import published_path
from tests.helpers.warehouse import SAMPLE_DIR, publish_recaps

BENGKULU, KALSEL = SAMPLE_DIR / "2024" / "17_bengkulu.csv", SAMPLE_DIR / "2024" / "63_kalimantan_selatan.csv"


def written(path) -> tuple[int, bytes]:
    return path.stat().st_mtime_ns, path.read_bytes()


def test_the_same_figures_leave_the_report_as_it_was_and_a_change_writes_it_again(db):
    publish_recaps(db, BENGKULU)
    report = write_campaign_report(published_path(db), 2024, only_if_changed=True)
    first = written(report)
    assert b"Bengkulu" in first[1] and b"Kalimantan Selatan" not in first[1]

    publish_recaps(db, BENGKULU)  # nothing new: published again, same figures
    assert write_campaign_report(published_path(db), 2024, only_if_changed=True) == report
    assert written(report) == first

    assert write_campaign_report(published_path(db), 2024) == report  # asked for without the condition
    assert written(report)[0] != first[0]
    rewritten = written(report)

    publish_recaps(db, KALSEL)
    write_campaign_report(published_path(db), 2024, only_if_changed=True)
    assert written(report) != rewritten and b"Kalimantan Selatan" in report.read_bytes()


def test_another_scope_or_other_bands_are_another_report(db):
    publish_recaps(db, BENGKULU)
    national = write_campaign_report(published_path(db), 2024, only_if_changed=True)
    province = write_campaign_report(published_path(db), 2024, "17", only_if_changed=True)
    assert province != national and province.name == "laporan-psa-2024-17.html"
    before = written(national)
    green, yellow, red = DEFAULT_BANDS
    wider = (replace(green, lower=95), replace(yellow, upper=95), red)
    write_campaign_report(published_path(db), 2024, bands=wider, only_if_changed=True)
    assert written(national)[0] != before[0]
