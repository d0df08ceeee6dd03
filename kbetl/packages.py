"""Packages: what a source hands the warehouse, one folder per staged recap file or province pull.

A package is a folder holding `manifest.json` and the tables as Parquet (one file per table, named by where
the table sits in the item: `recaps.0.accepted.parquet`) and response bodies as `.bin` files. The manifest
says what the package is without reading a table: its source ('recap' | 'daily'), its scope (one entry per
campaign year and region of the item), its version (the SHA-256 of the recap file, of the export or of the
JSON responses), its status, its rows read / accepted / rejected / skipped with the reasons, its findings,
and the item's structure (scalars inline, tables and bodies by file name) from which the item is rebuilt.

A package is built in a hidden folder and made visible by one rename, so a reader sees all of it or nothing;
a folder without a manifest or still hidden is refused. Reading one never runs a source's code: only the
sources' dataclasses listed in _CLASSES are rebuilt from it (the files are data, never code). Packages cross
machines on a cluster (a shared location, $KBETL_LANDING) as paths, never as DataFrames.
"""

import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kbetl.sources.recaps.check import ValidatedRecap
from kbetl.sources.recaps.grid import stored_name
from kbetl.sources.recaps.read import RecapExtract, UnusedColumn
from kbetl.sources.recaps.stage import StagedFile
from kbetl.sources.report_api.client import Export, Landing
from kbetl.sources.report_api.pull import ProvincePull

FORMAT = 1
MANIFEST = "manifest.json"
LANDING_ENV = "KBETL_LANDING"
_CLASSES = {cls.__name__: cls for cls in (StagedFile, ValidatedRecap, RecapExtract, UnusedColumn, ProvincePull,
                                          Landing, Export)}


class IncompletePackage(ValueError):
    """A folder that is not a finished package (still being written, or left by a writer that died)."""


def shared_landing() -> Path | None:
    """The location every machine of the cluster sees ($KBETL_LANDING), or None on one machine."""
    value = os.environ.get(LANDING_ENV, "").strip()
    return Path(value) if value else None


def write_recap_package(item: StagedFile, parent: Path) -> Path:
    return _write(item, recap_manifest(item), parent / "recaps")


def read_recap_package(path: Path) -> StagedFile:
    return _read(path, StagedFile)


def write_pull_package(pull: ProvincePull, parent: Path) -> Path:
    return _write(pull, pull_manifest(pull), parent / "pulls")


def read_pull_package(path: Path) -> ProvincePull:
    return _read(path, ProvincePull)


def read_manifest(path: Path) -> dict:
    """The manifest of a finished package, without its item's structure."""
    manifest = _manifest(Path(path))
    return {key: value for key, value in manifest.items() if key != "item"}


def recap_manifest(item: StagedFile) -> dict:
    """What a staged recap file is: one scope per part (year, kind, parent region); version: the file's hash."""
    recaps = item.recaps
    status = "unchanged" if item.unchanged else "refused" if item.refused is not None else "staged"
    rejected = Counter()
    for recap in recaps:
        rejected.update(recap.quarantine.drop_duplicates(["source_row", "check_name"])["check_name"])
    return {
        "format": FORMAT, "source": "recap", "status": status, "name": stored_name(item.path.name),
        "scope": [{"year": r.campaign_year, "region": r.parent_code, "kind": r.kind} for r in recaps],
        "version": recaps[0].extract.sha256 if recaps else None,
        "rows": {"read": item.rows_read, "accepted": sum(r.rows_accepted for r in recaps),
                 "rejected": sum(r.rows_rejected for r in recaps), "skipped": item.rows_skipped},
        "reasons": {"rejected": dict(sorted(rejected.items())),
                    "skipped": dict(sorted(Counter(why for _, why, _ in
                                                   (recaps[0].extract.skipped_rows if recaps else [])).items()))},
        "findings": sum(len(r.findings) for r in recaps),
        "refused": item.refused,
    }


def pull_manifest(pull: ProvincePull) -> dict:
    """What a province pull is: its year, province and days; version: the export's hash, or the hash of its
    JSON responses' hashes. Its records are checked against the contract when the year's pulls load, so the
    rows rejected here are those the source could not decode."""
    undecodable = pull.undecodable
    rejected = (Counter(undecodable.drop_duplicates(["file_sha256", "source_row", "check_name"])["check_name"])
                if not undecodable.empty else Counter())
    rows_rejected = len(undecodable[["file_sha256", "source_row"]].drop_duplicates()) if not undecodable.empty else 0
    responses = sorted(landing.sha256 for landing in pull.landings)
    version = (pull.export.sha256 if pull.export else
               hashlib.sha256("\n".join(responses).encode()).hexdigest() if responses else None)
    return {
        "format": FORMAT, "source": "daily", "status": pull.status, "name": pull.province_code,
        "scope": [{"year": pull.campaign_year, "region": pull.province_code,
                   "days": [min(pull.days).isoformat(), max(pull.days).isoformat()] if pull.days else []}],
        "version": version,
        "rows": {"read": pull.records_in, "accepted": pull.records_in - rows_rejected, "rejected": rows_rejected,
                 "skipped": 0},
        "reasons": {"rejected": dict(sorted(rejected.items())), "skipped": {}},
        "findings": 0,
        "refused": pull.error,
    }


def _write(obj, manifest: dict, parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    building = parent / f".{name}.building"
    building.mkdir()
    try:
        files: dict[str, int | None] = {}
        item = _encode(obj, building, [], files)
        manifest = {**manifest, "tables": {n: rows for n, rows in files.items() if rows is not None},
                    "item": item}
        (building / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        final = parent / name
        os.replace(building, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return final


def _manifest(path: Path) -> dict:
    if path.name.startswith(".") or not (path / MANIFEST).is_file():
        raise IncompletePackage(f"{path} is not a finished package (no {MANIFEST}, or still being written)")
    manifest = json.loads((path / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise IncompletePackage(f"{path}: package format {manifest.get('format')!r}, this kbetl reads {FORMAT}")
    return manifest


def _read(path: Path, expected: type):
    path = Path(path)
    obj = _decode(_manifest(path)["item"], path)
    if not isinstance(obj, expected):
        raise ValueError(f"{path} holds a {type(obj).__name__}, not a {expected.__name__}")
    shutil.rmtree(path)
    return obj


def _encode(value, folder: Path, where: list[str], files: dict[str, int | None]):
    """where: the path of the value in the item (names its files); files: name → rows of each table written."""
    name = ".".join(where) or "item"
    if isinstance(value, pd.DataFrame):
        files[f"{name}.parquet"] = len(value)
        # Object columns can mix numbers and text (a recap's cells as read), which Parquet cannot type:
        # their cells go as JSON text and come back as the same Python values.
        mixed = [c for c in value.columns if value[c].dtype == object]
        value.assign(**{c: value[c].map(json.dumps) for c in mixed}).to_parquet(folder / f"{name}.parquet")
        # text columns come back in the storage they had (a staged recap's is Python's, see stage_recap)
        storage = {c: value[c].dtype.storage for c in value.columns if isinstance(value[c].dtype, pd.StringDtype)}
        labels = value.columns.dtype.storage if isinstance(value.columns.dtype, pd.StringDtype) else None
        return {"$parquet": [f"{name}.parquet", mixed, storage, labels]}
    if isinstance(value, bytes):
        files[f"{name}.bin"] = None
        (folder / f"{name}.bin").write_bytes(value)
        return {"$bytes": f"{name}.bin"}
    if dataclasses.is_dataclass(value):
        return {"$class": type(value).__name__,
                "fields": {f.name: _encode(getattr(value, f.name), folder, [*where, f.name], files)
                           for f in dataclasses.fields(value)}}
    if isinstance(value, Path):
        return {"$path": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, folder, [*where, str(i)], files) for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, folder, [*where, str(i)], files) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {"$dict": [[k, _encode(v, folder, [*where, str(k)], files)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot package a {type(value).__name__}")


def _decode(tree, folder: Path):
    if isinstance(tree, list):
        return [_decode(v, folder) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "$class" in tree:
        cls = _CLASSES[tree["$class"]]
        return cls(**{name: _decode(v, folder) for name, v in tree["fields"].items()})
    ((kind, value),) = tree.items()
    if kind == "$parquet":
        name, mixed, storage, labels = value
        frame = pd.read_parquet(folder / name)
        frame = frame.astype({c: pd.StringDtype(s, na_value=frame[c].dtype.na_value) for c, s in storage.items()})
        if labels:
            frame.columns = frame.columns.astype(pd.StringDtype(labels, na_value=frame.columns.dtype.na_value))
        return frame.assign(**{c: frame[c].map(json.loads).astype(object) for c in mixed})
    if kind == "$bytes":
        return (folder / value).read_bytes()
    if kind == "$path":
        return Path(value)
    if kind == "$datetime":
        return datetime.fromisoformat(value)
    if kind == "$date":
        return date.fromisoformat(value)
    if kind == "$tuple":
        return tuple(_decode(v, folder) for v in value)
    if kind == "$dict":
        return {k: _decode(v, folder) for k, v in value}
    raise ValueError(f"{folder}: unknown item {kind!r}")
