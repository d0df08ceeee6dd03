"""Staged recaps and province pulls as files on a landing location several machines share.

When extracting and checking run on other machines (a Dask cluster), what comes back to the writer host is
a path, never a DataFrame: each result is written as a folder of its own (`item.json` for the scalars and
the structure, one Parquet file per table, one file per response body), made visible in one rename so a
reader sees all of it or nothing. The loader reads it on the writer host and removes it.
"""

import dataclasses
import json
import os
import shutil
import uuid
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kbetl.sources.recaps.check import ValidatedRecap
from kbetl.sources.recaps.read import RecapExtract
from kbetl.sources.recaps.stage import StagedFile
from kbetl.sources.report_api.client import Export, Landing
from kbetl.sources.report_api.pull import ProvincePull

LANDING_ENV = "KBETL_LANDING"
# Only these are ever rebuilt from a landed item (the files are data, never code).
_CLASSES = {cls.__name__: cls for cls in (StagedFile, ValidatedRecap, RecapExtract, ProvincePull, Landing, Export)}


def shared_landing() -> Path | None:
    """The landing location every machine of the cluster sees ($KBETL_LANDING), or None on one machine."""
    value = os.environ.get(LANDING_ENV, "").strip()
    return Path(value) if value else None


def write_staged(item: StagedFile, landing: Path) -> Path:
    return _write(item, landing / "staged")


def read_staged(path: Path) -> StagedFile:
    return _read(path, StagedFile)


def write_pull(pull: ProvincePull, landing: Path) -> Path:
    return _write(pull, landing / "pulls")


def read_pull(path: Path) -> ProvincePull:
    return _read(path, ProvincePull)


def _write(obj, parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    building = parent / f".{name}.building"
    building.mkdir()
    try:
        tree = _encode(obj, building, [0])
        (building / "item.json").write_text(json.dumps(tree))
        final = parent / name
        os.replace(building, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return final


def _read(path: Path, expected: type):
    path = Path(path)
    obj = _decode(json.loads((path / "item.json").read_text()), path)
    if not isinstance(obj, expected):
        raise ValueError(f"{path} holds a {type(obj).__name__}, not a {expected.__name__}")
    shutil.rmtree(path)
    return obj


def _encode(value, folder: Path, counter: list[int]):
    if isinstance(value, pd.DataFrame):
        counter[0] += 1
        name = f"{counter[0]}.parquet"
        # Object columns can mix numbers and text (a recap's cells as read), which Parquet cannot type:
        # their cells go as JSON text and come back as the same Python values.
        mixed = [c for c in value.columns if value[c].dtype == object]
        value.assign(**{c: value[c].map(json.dumps) for c in mixed}).to_parquet(folder / name)
        # text columns come back in the storage they had (a staged recap's is Python's, see stage_recap)
        storage = {c: value[c].dtype.storage for c in value.columns if isinstance(value[c].dtype, pd.StringDtype)}
        labels = value.columns.dtype.storage if isinstance(value.columns.dtype, pd.StringDtype) else None
        return {"$parquet": [name, mixed, storage, labels]}
    if isinstance(value, bytes):
        counter[0] += 1
        name = f"{counter[0]}.bin"
        (folder / name).write_bytes(value)
        return {"$bytes": name}
    if dataclasses.is_dataclass(value):
        return {"$class": type(value).__name__,
                "fields": {f.name: _encode(getattr(value, f.name), folder, counter)
                           for f in dataclasses.fields(value)}}
    if isinstance(value, Path):
        return {"$path": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, folder, counter) for v in value]}
    if isinstance(value, list):
        return [_encode(v, folder, counter) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[k, _encode(v, folder, counter)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot land a {type(value).__name__}")


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
