"""Region names as recaps spell them, resolved to codes or refused with candidates."""

import pytest

from kbetl.reference.names import RegionNotResolved, compact_name, matcher_for


@pytest.mark.parametrize("reported, parent, code", [
    ("Mukomuko", "17", "1706"),
    ("KAB. MUKO MUKO", "17", "1706"),
    ("Kabupaten Muko-Muko", "17", "1706"),
    ("Lubuklinggau", "16", "1673"),
    ("Kota Lubuk Linggau", "16", "1673"),
    ("Kota Baubau", "74", "7472"),
    ("Bau Bau", None, "7472"),
    ("OKI", "16", "1602"),
    ("Kab. OKI", "16", "1602"),
    ("HST", "63", "6307"),
    ("Kota Bengkulu", "17", "1771"),
    ("Kota Baru", "63", "6302"),
    ("Kab. Bekasi", None, "3216"),
    ("Kota Bekasi", None, "3275"),
])
def test_regency_spellings_resolve(reported, parent, code):
    assert matcher_for("38", "regency").resolve(reported, parent).code == code


@pytest.mark.parametrize("reported, code", [
    ("Jabar", "32"), ("Jateng", "33"), ("Jatim", "35"), ("DIY", "34"), ("D.I. Yogyakarta", "34"),
    ("Kalsel", "63"), ("Sumsel", "16"), ("Sultra", "74"), ("Malut", "82"), ("NTB", "52"), ("NTT", "53"),
    ("KEP. BANGKA BELITUNG", "19"), ("Kep. Riau", "21"), ("BENGKULU", "17"), ("Sumatra Utara", "12"),
])
def test_province_spellings_and_abbreviations_resolve(reported, code):
    assert matcher_for("38", "province").resolve(reported).code == code


def test_name_matching_two_regions_is_rejected_with_both_as_candidates():
    with pytest.raises(RegionNotResolved) as error:
        matcher_for("38", "regency").resolve("Bekasi")
    assert "cocok dengan 2 wilayah: Kab. Bekasi (3216), Kota Bekasi (3275)" in str(error.value)
    assert error.value.candidates == ["Kab. Bekasi (3216)", "Kota Bekasi (3275)"]


def test_unknown_name_is_rejected_with_closest_candidates():
    with pytest.raises(RegionNotResolved) as error:
        matcher_for("38", "regency").resolve("Mukomoko", "17")
    assert error.value.candidates[0] == "Kab. Muko Muko (1706)"


def test_regency_of_another_province_is_not_guessed():
    with pytest.raises(RegionNotResolved,
                       match=r"bukan kabupaten/kota di wilayah 16, melainkan Kab. Kepahiang \(1708\)"):
        matcher_for("38", "regency").resolve("Kepahiang", "16")


def test_papua_means_another_code_on_each_map():
    assert matcher_for("34", "province").resolve("Papua").code == "94"
    assert matcher_for("38", "province").resolve("Papua").code == "91"
    assert matcher_for("38", "province").resolve("Papua Tengah").code == "94"
    assert matcher_for("34", "regency").resolve("Merauke", "94").code == "9401"
    assert matcher_for("38", "regency").resolve("Merauke", "93").code == "9301"


def test_compact_name_ignores_prefix_case_spacing_and_hyphens():
    assert compact_name("Kab. Muko-Muko") == compact_name("MUKOMUKO") == "mukomuko"
