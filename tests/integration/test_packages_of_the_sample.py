"""Every sample recap of two years, and a file refused whole, written as a package and read back as it was."""

from kbetl import packages
from kbetl.sources.recaps.stage import find_recap_files, stage_recap
from tests.helpers.items import read_from_files, same
from tests.helpers.warehouse import SAMPLE_DIR


def test_every_sample_recap_and_a_refused_file_read_back_as_they_were(tmp_path):
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"PK\x03\x04 damaged")
    for path in [*find_recap_files([SAMPLE_DIR / "2022", SAMPLE_DIR / "2023"]), broken]:
        staged = stage_recap(path)
        written = packages.write_recap_package(staged, tmp_path / "packages")
        manifest = packages.read_manifest(written)
        same(staged, read_from_files(packages.read_recap_package, written))
        assert manifest["status"] == ("refused" if path == broken else "staged")
        assert (manifest["refused"] is None) == (path != broken)
    assert manifest["version"] is None and manifest["scope"] == [] and manifest["rows"]["read"] == 0
    assert not any((tmp_path / "packages").rglob("*.parquet"))

