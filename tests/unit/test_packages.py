"""A package is what a source hands the warehouse: a staged recap or a province pull written as a package and
read back is what it was (every table with its types, every response's bytes, every manifest field), reading
one removes it, and a package whose writing did not finish is never read."""

import hashlib
import os
from datetime import date, datetime, timezone

import duckdb
import pandas as pd
import pytest

from kbetl import packages
from kbetl.sources.recaps.manifest import recap_manifest
from kbetl.sources.recaps.stage import find_recap_files, stage_recap
from kbetl.sources.report_api.client import Export, Landing
from kbetl.sources.report_api.manifest import pull_manifest
from kbetl.sources.report_api.pull import ProvincePull
from tests.helpers.items import read_from_files, same
from tests.helpers.recap_files import worse_kalsel_resend
from tests.helpers.warehouse import SAMPLE_DIR


def test_a_staged_recap_with_rejected_rows_and_findings_reads_back_as_it_was(tmp_path):
    path = worse_kalsel_resend(tmp_path)
    staged = stage_recap(path)
    recap = staged.recaps[0]
    assert not recap.quarantine.empty and not recap.findings.empty and recap.extract.skipped_rows
    written = packages.write_recap_package(staged, tmp_path / "packages")
    manifest = packages.read_manifest(written)
    assert {p.name for p in written.iterdir()} == {"manifest.json", *manifest["tables"], "recaps.0.extract.content.bin"}
    back = read_from_files(packages.read_recap_package, written)
    same(staged, back)
    assert not written.exists(), "a package read is removed"
    assert manifest == {**{"format": packages.FORMAT, **recap_manifest(back)}, "tables": manifest["tables"]}
    assert manifest["source"] == "recap" and manifest["status"] == "staged" and manifest["name"] == path.name
    assert manifest["version"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["scope"] == [{"year": 2024, "region": "63", "kind": "psa"}]
    rows = manifest["rows"]
    assert rows["rejected"] == recap.quarantine["source_row"].nunique() > 0
    assert rows["read"] == rows["accepted"] + rows["rejected"] + rows["skipped"]
    assert rows["skipped"] == len(recap.extract.skipped_rows) == sum(manifest["reasons"]["skipped"].values())
    assert sum(manifest["reasons"]["rejected"].values()) >= rows["rejected"]
    assert manifest["findings"] == len(recap.findings) > 0
    assert manifest["tables"]["recaps.0.accepted.parquet"] == len(recap.accepted)


def province_pull(tmp_path) -> ProvincePull:
    """A pull of JSON pages (one undecodable value) beside an export landed on disk: every field set."""
    at = datetime(2024, 6, 15, 1, 0, tzinfo=timezone.utc)
    landings = [Landing(f"/v1/{name}?province=17", 200, body, hashlib.sha256(body).hexdigest(), at)
                for name, body in (("facilities", b'{"facilities": []}'), ("targets", b'{"targets": []}'))]
    export_path = tmp_path / "exports" / "e.parquet"
    export_path.parent.mkdir()
    duckdb.sql("select 1 as acceptors").write_parquet(str(export_path))
    export = Export("/v1/export?province=17", export_path, hashlib.sha256(export_path.read_bytes()).hexdigest(),
                    export_path.stat().st_size, 1, at, {"acceptors": "INTEGER"})
    records = pd.DataFrame({"facility_code": ["1771001", "1771002"], "acceptors": pd.array([4, None], "Int64"),
                            "report_date": pd.to_datetime(["2024-06-15", "2024-06-16"]),
                            "updated_at": pd.to_datetime(["2024-06-15 01:00"] * 2, utc=True),
                            "file_sha256": ["f" * 64] * 2, "source_row": [1, 2]})
    undecodable = pd.DataFrame({"file_sha256": ["f" * 64] * 2, "file_name": ["page 1"] * 2, "source_row": [3, 3],
                                "column_name": ["acceptors", "report_date"], "check_name": ["type", "type"],
                                "value": ["2.5", "15/06/2024"], "message": ["bukan bilangan bulat", "bukan tanggal"]})
    register = pd.DataFrame([("1771001", "RS", "177101", "1771", "rumah_sakit")],
                            columns=["facility_code", "facility_name", "district_code", "regency_code", "kind"])
    targets = pd.DataFrame([("1771", "regency", 120, 30)], columns=["region_code", "level", "target", "kbpp_target"])
    return ProvincePull(2024, "17", [date(2024, 6, 15), date(2024, 6, 16)], landings=landings, export=export,
                        facilities=register, targets=targets, records=records, undecodable=undecodable,
                        responses=3, records_in=4, seconds=1.5)


def test_a_package_made_in_this_process_is_handed_over_in_memory_and_the_oldest_beyond_the_limit_from_files(
        tmp_path):
    staged = [stage_recap(path) for path in find_recap_files([SAMPLE_DIR / "2024"])[:packages.KEPT + 2]]
    written = [packages.write_recap_package(item, tmp_path / "packages") for item in staged]
    newest = packages.read_recap_package(written[-1])
    assert newest is staged[-1] and not written[-1].exists(), "the item itself, and the package removed"
    oldest = packages.read_recap_package(written[0])
    assert oldest is not staged[0], "beyond the limit, read from its files"
    same(staged[0], oldest)


def test_a_province_pull_reads_back_as_it_was(tmp_path):
    pulled = province_pull(tmp_path)
    written = packages.write_pull_package(pulled, tmp_path / "packages")
    manifest = packages.read_manifest(written)
    back = read_from_files(packages.read_pull_package, written)
    same(pulled, back)
    assert back.export.path.read_bytes() == pulled.export.path.read_bytes()
    assert manifest == {**{"format": packages.FORMAT, **pull_manifest(back)}, "tables": manifest["tables"]}
    assert manifest["source"] == "daily" and manifest["version"] == pulled.export.sha256
    assert manifest["scope"] == [{"year": 2024, "region": "17", "days": ["2024-06-15", "2024-06-16"]}]
    assert manifest["rows"] == {"read": 4, "accepted": 3, "rejected": 1, "skipped": 0}
    assert manifest["reasons"]["rejected"] == {"type": 1}
    assert manifest["tables"] == {"facilities.parquet": 1, "targets.parquet": 1, "records.parquet": 2,
                                  "undecodable.parquet": 2}


def test_a_failed_pull_says_why_in_its_manifest(tmp_path):
    failed = ProvincePull(2024, "18", [date(2024, 6, 15)], status="failed", error="batas waktu habis")
    manifest = packages.read_manifest(packages.write_pull_package(failed, tmp_path))
    assert (manifest["status"], manifest["refused"], manifest["version"]) == ("failed", "batas waktu habis", None)


def test_a_package_is_read_only_as_what_it_is(tmp_path):
    written = packages.write_recap_package(stage_recap(find_recap_files([SAMPLE_DIR / "2022"])[0]), tmp_path)
    with pytest.raises(ValueError, match="holds a StagedFile, not a ProvincePull"):
        read_from_files(packages.read_pull_package, written)


def test_a_package_whose_writing_did_not_finish_is_never_read(tmp_path, monkeypatch):
    staged = stage_recap(SAMPLE_DIR / "2022" / "17_bengkulu.csv")
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        packages.write_recap_package(staged, tmp_path)
    assert list((tmp_path / "recaps").iterdir()) == [], "a failed write leaves nothing behind"
    monkeypatch.setattr(os, "replace", real_replace)
    # a writer killed before its rename leaves its hidden folder, complete but for the rename
    written = packages.write_recap_package(staged, tmp_path)
    hidden = written.parent / f".{written.name}.building"
    written.rename(hidden)
    for unfinished in (hidden, tmp_path / "recaps" / "no-manifest"):
        unfinished.mkdir(exist_ok=True)
        with pytest.raises(packages.IncompletePackage, match="not a finished package"):
            read_from_files(packages.read_recap_package, unfinished)
        with pytest.raises(packages.IncompletePackage):
            packages.read_manifest(unfinished)
        assert unfinished.exists()
