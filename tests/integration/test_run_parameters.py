"""What a run records of what it was asked (audit.runs.parameters) is built in one place: a backfill's year
records the same whether it runs as the backfill-year flow (a cluster's or a deployment's path) or without
Prefect."""

import json

import pytest

from kbetl.runs import backfill_year
from tests.helpers.warehouse import archive_of, query


@pytest.mark.prefect
def test_a_backfill_year_records_kind_and_the_same_parameters_as_a_flow_run_and_without_prefect(tmp_path):
    from flows.backfill import backfill_one_year

    archive = archive_of(tmp_path / "arsip", [2022], ["63"])
    direct, flowed = tmp_path / "direct.duckdb", tmp_path / "flowed.duckdb"
    backfill_year(direct, 2022, None, archive, None, rebuild="none")
    state = backfill_one_year(2022, recap_dir=str(archive), db=str(flowed), return_state=True)
    assert state.is_completed(), state.message
    asked = {"paths": [str(archive / "2022")], "year": 2022, "region": None, "kind": None, "replace": False}
    for db in (direct, flowed):
        recorded = [(command, json.loads(parameters)) for command, parameters
                    in query(db, "select command, parameters from audit.runs")]
        assert recorded == [("backfill", asked)], db.name
