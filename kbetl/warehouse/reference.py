"""The ref schema: the reference data this version of kbetl ships, written anew at every run."""

import duckdb

from kbetl.quality.checks import quality_checks, quality_thresholds
from kbetl.reference import groups, regions, tables


def load_reference(con: duckdb.DuckDBPyConnection) -> None:
    frames = {
        "regions": regions.all_maps(),
        "regency_crosswalk": regions.regency_crosswalk(),
        "region_aliases": tables.region_aliases(),
        "methods": tables.methods(),
        "service_types": tables.service_types(),
        "campaigns": tables.campaigns(),
        "target_groups": tables.target_groups(),
        "region_groups": groups.region_groups(),
        "quality_checks": quality_checks(),
        "quality_thresholds": quality_thresholds(),
    }
    con.execute("begin")
    for name, frame in frames.items():
        con.register("reference_frame", frame)
        con.execute(f"create or replace table ref.{name} as select * from reference_frame")
        con.unregister("reference_frame")
    con.execute("commit")
