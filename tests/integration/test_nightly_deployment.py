"""The nightly deployment on a real, long-running Prefect server on loopback, started as the README says."""

import os
import socket
import subprocess
import time

import pytest
import requests

from devtools.generate.facilities import generate_facility_data
from devtools.report_api_server import running_server
from kbetl.sources.report_api.client import TOKEN_ENV, URL_ENV
from kbetl.warehouse.database import PROJECT_DIR
from tests.helpers.prefect_server import migrated_home
from tests.helpers.warehouse import query

pytestmark = pytest.mark.prefect

SCRIPT = PROJECT_DIR / "scripts" / "nightly.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(probe, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def test_nightly_deployment_runs_on_a_real_prefect_server(tmp_path, tmp_path_factory):
    port = free_port()
    home = migrated_home(tmp_path_factory)  # the server the script starts skips the migration
    db, published = tmp_path / "kbetl-work.duckdb", tmp_path / "kbetl.duckdb"
    data = generate_facility_data([2024], ["17"], scale=0.1)
    with running_server(data, "nightly-token") as report_api:
        env = {**os.environ, "KBETL_PREFECT_PORT": str(port), "KBETL_PREFECT_HOME": str(home),
               "PREFECT_UI_ENABLED": "false", "KBETL_NIGHTLY_ARGS": "--provinces 17 --lookback-days 0",
               URL_ENV: report_api.base_url, TOKEN_ENV: "nightly-token", "KBETL_DB": str(db),
               "KBETL_PUBLISHED": str(published),
               # the served deployment looks for its runs every second (Prefect's 10 s default is only waiting)
               "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
        env.pop("PREFECT_API_URL", None)
        api = f"http://127.0.0.1:{port}/api"
        try:
            started = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True,
                                     timeout=200)
            assert started.returncode == 0, started.stdout + started.stderr

            def deployment():
                answer = requests.get(f"{api}/deployments/name/nightly/kbetl-nightly", timeout=5)
                return answer.json() if answer.status_code == 200 else None

            found = wait_for(deployment, 120, "the deployment to be registered")
            schedule = found["schedules"][0]["schedule"]
            assert (schedule["cron"], schedule["timezone"]) == ("0 1 * * *", "Asia/Jakarta")
            assert found["schedules"][0]["active"] and not found["paused"]

            def created():  # the server can answer 503 while its services are still starting
                answer = requests.post(f"{api}/deployments/{found['id']}/create_flow_run", timeout=10, json={
                    "parameters": {"run_date": "2024-06-04", "lookback_days": 0, "extract_retries": 0}})
                return answer.json() if answer.status_code in (200, 201) else None

            run = wait_for(created, 60, "the flow run to be created")

            def finished():
                state = requests.get(f"{api}/flow_runs/{run['id']}", timeout=5).json()["state"]
                return state if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

            state = wait_for(finished, 240, "the triggered flow run to finish")
            assert state["type"] == "COMPLETED", state
            artifacts = requests.post(f"{api}/artifacts/filter", timeout=5, json={
                "artifacts": {"key": {"any_": ["kbetl-nightly-summary"]}}}).json()
            assert len(artifacts) == 1 and "## Baris ditolak menurut alasan" in artifacts[0]["data"]
            quality = artifacts[0]["data"].split("## Kualitas data", 1)[1]
            card = (tmp_path / "kualitas-data-2024.txt").read_text(encoding="utf-8")
            assert card.splitlines()[0] in quality and "not written" not in quality
        finally:
            stopped = subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, text=True,
                                     timeout=60)
    assert "stopped server" in stopped.stdout
    assert query(db, "select count(*) > 0 from marts.daily_progress where region_code = '17'") == [(True,)]
    assert query(db, "select command, status from audit.runs") == [("nightly", "succeeded")]
    assert query(published, "select count(*) > 0 from marts.daily_progress") == [(True,)]
