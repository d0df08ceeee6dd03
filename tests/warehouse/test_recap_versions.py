"""A worse re-sent recap never makes a region vanish (issue 19, observation 3): the regions an earlier version
had and the new one lacks or quarantines keep their earlier figures, marked, and the load says so; --replace
drops them on purpose."""

from pathlib import Path

from kbetl.runs import load_recaps
from kbetl.sources.recaps.stage import stage_recap
from tests.helpers.recap_files import KALSEL_2024 as GOOD
from tests.helpers.recap_files import worse_kalsel_resend as worse_resend
from tests.helpers.warehouse import query

KALSEL_REGENCIES = 13

def ingest(db: Path, path: Path, replace: bool = False):
    return load_recaps(db, [stage_recap(path)], "test", replace=replace)


def regencies(db: Path) -> dict[str, tuple]:
    rows = query(db, "select region_code, achieved, figures_from, source_file from marts.achievement "
                     "where campaign_year = 2024 and level = 'regency' and parent_code = '63'")
    return {code: rest for code, *rest in rows}


def test_a_worse_resend_keeps_the_regions_it_lacks_from_the_earlier_version_and_says_so(db, tmp_path):
    ingest(db, GOOD)
    summary = ingest(db, worse_resend(tmp_path))

    figures = regencies(db)
    assert len(figures) == KALSEL_REGENCIES
    assert figures["6302"] == [1634, "previous_version", GOOD.name]  # Kotabaru: its row quarantined
    assert figures["6306"] == [4377, "previous_version", GOOD.name]  # HSS: left out
    assert figures["6309"] == [7167, "previous_version", GOOD.name]  # Tabalong: misspelt
    assert figures["6301"] == [5207, "reported", "63_kalimantan_selatan_kirim_ulang.csv"]  # the correction wins
    kept = summary.kept
    assert len(kept) == 3
    kotabaru = next(s for s in kept if s.startswith("Kab. Kotabaru"))
    assert "baris 6 dikarantina" in kotabaru and GOOD.name in kotabaru and "tetap dipakai" in kotabaru
    assert any(s.startswith("Kab. Hulu Sungai Selatan: tidak ada") for s in kept)


def test_replace_drops_what_the_new_version_lacks_and_says_what_was_dropped(db, tmp_path):
    ingest(db, GOOD)
    worse = worse_resend(tmp_path)
    assert ingest(db, worse).kept  # first without --replace: kept, and the command exits 1 on it
    summary = ingest(db, worse, replace=True)  # the officer means it: the same bytes, now replacing

    assert summary.kept == []
    assert len(summary.results[0].dropped) == 3
    assert all("dibuang (--replace)" in s for s in summary.results[0].dropped)
    assert set(regencies(db)) == {f"63{n:02}" for n in range(1, 12)} - {"6302", "6306", "6309"} | {"6371", "6372"}


def test_a_later_version_that_carries_the_region_again_ends_the_carry(db, tmp_path):
    ingest(db, GOOD)
    ingest(db, worse_resend(tmp_path))
    fixed = tmp_path / "63_kalimantan_selatan_perbaikan.csv"
    fixed.write_text(GOOD.read_text().replace("2;Kotabaru;1.607;112;", "2;Kotabaru;1.607;113;")
                     .replace(";1.634;101,68", ";1.635;101,74"))
    assert ingest(db, fixed).kept == []

    figures = regencies(db)
    assert {code for code, (_, source, _) in figures.items() if source == "previous_version"} == set()
    assert figures["6302"] == [1635, "reported", fixed.name]
