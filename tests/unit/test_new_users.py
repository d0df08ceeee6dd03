"""New acceptors (peserta KB baru, issue 25): a third kind, told by its title or PB headers or --kind new-users,
with its own mart from the same figures by level as the other kinds, never mixed with PSA or current users."""


import pytest

from kbetl.reports.validation import validation_report
from kbetl.sources.recaps.stage import stage_recap


@pytest.mark.parametrize("title, header", [
    ("PESERTA KB BARU KABUPATEN BANTUL 2022", "Kecamatan,Jumlah"),
    ("REKAP KABUPATEN BANTUL 2022", "Kecamatan,PPM PB,Jumlah PB"),
    ("REKAP KABUPATEN BANTUL 2022", "Kecamatan,Peserta KB Baru"),
    ("REKAP AKSEPTOR BARU KABUPATEN BANTUL 2022", "Kecamatan,Jumlah"),
])
def test_what_tells_new_acceptors(tmp_path, title, header):
    path = tmp_path / "r.csv"
    path.write_text(f"{title}\n{header}\nSewon,{'90,' if 'PPM' in header else ''}100\n")
    item = stage_recap(path)
    assert item.refused is None and [r.kind for r in item.recaps] == ["new_users"]
    assert "laporan peserta KB baru Kab. Bantul (3402), baris berisi kecamatan" in validation_report(item)


def test_a_file_telling_new_acceptors_and_current_users_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("PESERTA KB BARU KABUPATEN BANTUL 2022\nKecamatan,Jumlah PA\nSewon,100\n")
    assert stage_recap(path).refused.startswith(
        "r.csv: jenis laporannya tidak dapat ditentukan: judul dan judul kolomnya menyebut peserta KB aktif ('pa') "
        "sekaligus peserta KB baru ('kb baru')")
    assert [r.kind for r in stage_recap(path, kind="new_users").recaps] == ["new_users"]
