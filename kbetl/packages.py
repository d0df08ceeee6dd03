"""Packages: what a source hands the warehouse, one folder per staged recap file or province pull.

A package is a folder holding `manifest.json` and the tables as Parquet (one file per table, named by where
the table sits in the item: `recaps.0.accepted.parquet`) and response bodies as `.bin` files. The manifest
says what the package is without reading a table, as its source says it (kbetl.sources.recaps.manifest,
kbetl.sources.report_api.manifest: source, status, scope, version, rows with their reasons, findings), with
the format, the tables and their rows, and the item's structure (scalars inline, tables and bodies by file
name) from which the item is rebuilt.

A package made in this process is also kept in memory until it is read (at most KEPT of them): on one machine
the loader takes the item itself rather than decoding its files again (on the benchmark's backfill, decoding
cost 18 s of 77); another process, or a machine of the cluster, reads the files.

A package is built in a hidden folder and made visible by one rename, so a reader sees all of it or nothing;
a folder without a manifest or still hidden is refused. Reading one never runs a source's code: only the
sources' dataclasses listed in _CLASSES are rebuilt from it (the files are data, never code). Packages cross
machines on a cluster (a shared location, $KBETL_LANDING) as paths, never as DataFrames.
"""

import dataclasses
import json
import os
import shutil
import threading
import uuid
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kbetl.sources.recaps.check import ValidatedRecap
from kbetl.sources.recaps.manifest import recap_manifest
from kbetl.sources.recaps.read import RecapExtract, UnusedColumn
from kbetl.sources.recaps.stage import StagedFile
from kbetl.sources.report_api.client import Export, Landing
from kbetl.sources.report_api.manifest import pull_manifest
from kbetl.sources.report_api.pull import ProvincePull

FORMAT = 1
MANIFEST = "manifest.json"
KEPT = 16  # packages made in this process and not yet read, kept in memory (the oldest beyond it is dropped)
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
    return _write(item, {"format": FORMAT, **recap_manifest(item)}, parent / "recaps")


def read_recap_package(path: Path) -> StagedFile:
    return _read(path, StagedFile)


def write_pull_package(pull: ProvincePull, parent: Path) -> Path:
    return _write(pull, {"format": FORMAT, **pull_manifest(pull)}, parent / "pulls")


def read_pull_package(path: Path) -> ProvincePull:
    return _read(path, ProvincePull)


def read_manifest(path: Path) -> dict:
    """The manifest of a finished package, without its item's structure."""
    manifest = _manifest(Path(path))
    return {key: value for key, value in manifest.items() if key != "item"}


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
        (building / MANIFEST).write_text(json.dumps(manifest, indent=1))
        final = parent / name
        os.replace(building, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    with _MADE_HERE_LOCK:
        _MADE_HERE[final] = obj
        while len(_MADE_HERE) > KEPT:
            _MADE_HERE.pop(next(iter(_MADE_HERE)))
    return final


_MADE_HERE: dict[Path, object] = {}  # in the order made
_MADE_HERE_LOCK = threading.Lock()


def _manifest(path: Path) -> dict:
    if path.name.startswith(".") or not (path / MANIFEST).is_file():
        raise IncompletePackage(f"{path} is not a finished package (no {MANIFEST}, or still being written)")
    manifest = json.loads((path / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise IncompletePackage(f"{path}: package format {manifest.get('format')!r}, this kbetl reads {FORMAT}")
    return manifest


def _read(path: Path, expected: type):
    path = Path(path)
    manifest = _manifest(path)
    with _MADE_HERE_LOCK:
        obj = _MADE_HERE.pop(path, None)
    if obj is None:
        obj = _decode(manifest["item"], path)
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
