"""Lineage: what each run was handed (audit.packages), one row per staged recap file or province pull, as its
source's manifest describes it; written by the loaders with what they load (in the same transaction)."""

import json

import duckdb

from kbetl.warehouse.run import now


def record_package(con: duckdb.DuckDBPyConnection, run_id: str, *manifests: dict) -> None:
    """Lineage: each item a run was handed, as its source's manifest describes it."""
    received_at = now()
    con.executemany("insert into audit.packages values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[run_id, m["source"], m["name"], m["version"], m["status"], json.dumps(m["scope"]),
                      m["rows"]["read"], m["rows"]["accepted"], m["rows"]["rejected"], m["rows"]["skipped"],
                      json.dumps(m["reasons"], ensure_ascii=False), m["findings"], m["refused"], received_at]
                     for m in manifests])
