"""Lineage: what each run was handed (audit.packages), one row per staged recap file or province pull, as its
source's manifest describes it; written by the loaders with what they load (in the same transaction)."""

import json

import duckdb

from kbetl.warehouse.database import insert_columns
from kbetl.warehouse.run import now


def record_package(con: duckdb.DuckDBPyConnection, run_id: str, *manifests: dict) -> None:
    """Lineage: each item a run was handed, as its source's manifest describes it."""
    insert_columns(con, "audit.packages", {
        "source": [m["source"] for m in manifests],
        "name": [m["name"] for m in manifests],
        "version": [m["version"] for m in manifests],
        "status": [m["status"] for m in manifests],
        "scope": [json.dumps(m["scope"]) for m in manifests],
        **{f"rows_{count}": [m["rows"][count] for m in manifests]
           for count in ("read", "accepted", "rejected", "skipped")},
        "reasons": [json.dumps(m["reasons"], ensure_ascii=False) for m in manifests],
        "findings": [m["findings"] for m in manifests],
        "refused": [m["refused"] for m in manifests],
    }, {"run_id": run_id, "received_at": now()})
