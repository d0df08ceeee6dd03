"""Lineage from the manifests: every staged recap file and province pull a run is handed leaves one row in
audit.packages, equal to its package's manifest (what its source said of it), committed with what it loaded;
what the warehouse then made of it stays in its own tables."""

import json
from datetime import date

import pandas as pd

from kbetl import packages, runs
from kbetl.sources.recaps.stage import find_recap_files, stage_recap
from kbetl.sources.report_api.pull import ProvincePull
from tests.helpers.recap_files import worse_kalsel_resend
from tests.helpers.warehouse import SAMPLE_DIR, query

COLUMNS = ("source, name, version, status, scope, rows_read, rows_accepted, rows_rejected, rows_skipped, reasons, "
           "findings, refused")


def lineage(db, run_id: str) -> list[dict]:
    rows = query(db, f"select {COLUMNS} from audit.packages where run_id = ? order by name", [run_id])
    return [{"source": source, "name": name, "version": version, "status": status, "scope": json.loads(scope),
             "rows": {"read": read, "accepted": accepted, "rejected": rejected, "skipped": skipped},
             "reasons": json.loads(reasons), "findings": findings, "refused": refused}
            for source, name, version, status, scope, read, accepted, rejected, skipped, reasons, findings, refused
            in rows]


def as_recorded(manifest: dict) -> dict:
    return {key: value for key, value in manifest.items() if key not in ("format", "tables", "item")}


def test_each_recap_file_handed_to_a_run_is_recorded_as_its_manifest_says(db, tmp_path):
    folder = tmp_path / "recaps"
    folder.mkdir()
    worse = worse_kalsel_resend(folder)
    (folder / "rusak.csv").write_text("bukan rekap\n")
    bengkulu = SAMPLE_DIR / "2022" / "17_bengkulu.csv"
    (folder / bengkulu.name).write_bytes(bengkulu.read_bytes())
    written = [packages.write_recap_package(stage_recap(path), tmp_path / "packages")
               for path in find_recap_files([folder])]
    manifests = sorted((as_recorded(packages.read_manifest(path)) for path in written), key=lambda m: m["name"])
    summary = runs.load_recaps(db, (packages.read_recap_package(path) for path in written), "test")
    assert lineage(db, summary.run_id) == manifests
    assert [m["status"] for m in manifests] == ["staged", "staged", "refused"]
    kalsel = next(m for m in manifests if m["name"] == worse.name)
    assert kalsel["rows"]["rejected"] > 0 and kalsel["findings"] > 0
    assert query(db, "select rows_accepted, rows_quarantined from audit.recap_submissions where file_sha256 = ?",
                 [kalsel["version"]]) == [(kalsel["rows"]["accepted"], kalsel["rows"]["rejected"])]

    again = runs.ingest_recaps(db, [folder], rebuild="none")
    assert [(m["name"], m["status"]) for m in lineage(db, again.run_id)] == [
        (bengkulu.name, "unchanged"), (worse.name, "unchanged"), ("rusak.csv", "refused")]


def test_each_pull_handed_to_a_run_is_recorded_as_its_source_described_it(db, tmp_path):
    """The source decoded every record; the contract, run when the year loads, rejects one: the lineage says
    what was handed, audit.api_pulls what was made of it."""
    at = pd.Timestamp("2022-06-15 01:00", tz="UTC")
    records = pd.DataFrame([{"facility_code": "1771001", "regency_code": "1771", "method": "pill",
                             "service_type": "new", "acceptors": acceptors, "report_date": pd.Timestamp("2022-06-15"),
                             "reported_at": at, "updated_at": at + pd.Timedelta(minutes=i), "file_sha256": "f" * 64,
                             "file_name": "/v1/provinces/17/services?date=2022-06-15&page=1", "source_row": i + 1}
                            for i, acceptors in enumerate([4, -1, 5])])
    records["acceptors"] = records["acceptors"].astype("Int64")
    register = pd.DataFrame([("1771001", "RS", "177101", "1771", "rumah_sakit")],
                            columns=["facility_code", "facility_name", "district_code", "regency_code", "kind"])
    targets = pd.DataFrame(columns=["region_code", "level", "target", "kbpp_target"])
    pulled = [ProvincePull(2022, "17", [date(2022, 6, 15)], facilities=register, targets=targets, records=records,
                           records_in=3),
              ProvincePull(2022, "18", [date(2022, 6, 15)], status="failed", error="batas waktu habis")]
    written = [packages.write_pull_package(p, tmp_path) for p in pulled]
    manifests = [as_recorded(packages.read_manifest(path)) for path in written]
    summary = runs.load_pulls(db, (packages.read_pull_package(path) for path in written), "test", rebuild="none")
    assert lineage(db, summary.run_id) == manifests
    assert manifests[0]["rows"] == {"read": 3, "accepted": 3, "rejected": 0, "skipped": 0}
    assert manifests[1]["refused"] == "batas waktu habis"
    assert query(db, "select province_code, records_rejected from audit.api_pulls order by 1") == [("17", 1), ("18", 0)]
