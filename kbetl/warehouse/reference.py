"""The ref schema: the reference data this version of kbetl ships, each table and column with its comment
(kbetl/reference/data/ref_tables.yml); written by a run when it differs from what the warehouse holds."""

import hashlib
import json
from functools import cache

import duckdb
import pandas as pd
import yaml

from kbetl.quality.checks import quality_checks, quality_thresholds
from kbetl.reference import groups, regions, tables
from kbetl.warehouse.database import SQL_DIR, sql_literal

REF_DOCS = tables.DATA_DIR / "ref_tables.yml"


@cache
def reference_docs() -> dict[str, dict]:
    """{table: {'description': …, 'columns': {column: comment}}} for every ref table."""
    return yaml.safe_load(REF_DOCS.read_text())


def reference_frames() -> dict[str, pd.DataFrame]:
    return _reference()[0]


def _reference() -> tuple[dict[str, pd.DataFrame], str]:
    """The frames and their version, computed again only when what they are made of changed in this process:
    a file they read, or a function that reads one (a test or the benchmark may stand another in)."""
    global _last
    files = sorted([*tables.DATA_DIR.iterdir(), *(SQL_DIR / "audits").glob("*.csv")])
    made_of = (tuple(map(id, _readers())), tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))
    if _last is None or _last[0] != made_of:
        frames = _frames()
        _last = (made_of, frames, _version(frames, reference_docs()))
    return _last[1], _last[2]


_last = None


def _readers() -> tuple:
    return (regions.all_maps, regions.regency_crosswalk, tables.region_aliases, tables.methods, tables.service_types,
            tables.campaigns, tables.target_groups, groups.region_groups, quality_checks, quality_thresholds)


def _frames() -> dict[str, pd.DataFrame]:
    return {
        "regions": regions.all_maps(),
        "regency_crosswalk": regions.regency_crosswalk(),
        "region_aliases": tables.region_aliases(),
        "methods": tables.methods(),
        "service_types": tables.service_types(),
        "campaigns": _campaigns_typed(tables.campaigns()),
        "target_groups": tables.target_groups(),
        "region_groups": groups.region_groups(),
        "quality_checks": quality_checks(),
        "quality_thresholds": quality_thresholds(),
    }


def _campaigns_typed(campaigns: pd.DataFrame) -> pd.DataFrame:
    """The calendar with its days as dates and its deadline as a WIB timestamp (NULL where none is set)."""
    return campaigns.assign(
        first_service_day=pd.to_datetime(campaigns["first_service_day"]).dt.date,
        last_service_day=pd.to_datetime(campaigns["last_service_day"]).dt.date,
        reporting_deadline_wib=pd.to_datetime(campaigns["reporting_deadline_wib"].replace("", None)))


def load_reference(con: duckdb.DuckDBPyConnection) -> None:
    docs = reference_docs()
    frames, version = _reference()
    if con.execute("select sha256 from audit.reference_version").fetchall() == [(version,)]:
        return
    con.execute("begin")
    for name, frame in frames.items():
        con.register("reference_frame", frame)
        con.execute(f"create or replace table ref.{name} as select * from reference_frame")
        con.unregister("reference_frame")
        con.execute(f"comment on table ref.{name} is {sql_literal(docs[name]['description'].strip())}")
        for column, text in docs[name]["columns"].items():
            con.execute(f"comment on column ref.{name}.{column} is {sql_literal(text.strip())}")
    con.execute("delete from audit.reference_version")
    con.execute("insert into audit.reference_version values (?)", [version])
    con.execute("commit")


def _version(frames: dict[str, pd.DataFrame], docs: dict) -> str:
    digest = hashlib.sha256(json.dumps(docs, sort_keys=True).encode())
    for name, frame in frames.items():
        digest.update(f"{name}:{list(frame.columns)}:{list(map(str, frame.dtypes))}".encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()
