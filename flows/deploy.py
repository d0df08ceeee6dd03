"""Past one machine: kbetl's flows as deployments on a `process` work pool, run by `prefect worker start
--pool NAME` on the warehouse's host (every flow writes the working file, which stays on that host's disk).

    PREFECT_API_URL=http://SERVER:4200/api .venv/bin/python -m flows.deploy [--pool kbetl-writer]

Creates, when missing: the work pool, the warehouse writer's global concurrency limit (one slot), and the
automation that marks a flow run crashed when its heartbeats stop (a worker or its machine killed); then
the deployments (nightly on its cron schedule, ingest, pull, backfill and a backfill's year). The code a
worker runs is the kbetl installed in its virtual environment (a checkout of the same commit on every
machine): entrypoints are module paths. Settings that differ per machine (KBETL_DASK_ADDRESS,
KBETL_LANDING, KBETL_API_URL, KBETL_API_TOKEN, KBETL_DB) come from the worker's environment, never from a
deployment (Prefect stores what a deployment holds).
"""

import argparse
import sys
from datetime import timedelta

from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.flows import EntrypointType
from prefect.schedules import Cron

from flows.backfill import backfill, backfill_one_year
from flows.daily import pull_daily_reports
from flows.nightly import DEPLOYMENT_NAME, NIGHTLY_CRON, NIGHTLY_TIMEZONE, nightly
from flows.recap import ingest_recaps
from flows.writer import WRITER_LIMIT
from kbetl.warehouse.run import WRITER_LIMIT_ENV

WRITER_POOL = "kbetl-writer"
ZOMBIE_AUTOMATION = "kbetl: crash flow runs whose heartbeats stopped"
HEARTBEAT_S = 30  # Prefect's shortest; a run is marked crashed after HEARTBEATS_MISSED of them
HEARTBEATS_MISSED = 2.5
YEAR_DEPLOYMENT = f"{backfill_one_year.name}/kbetl-backfill-year"
FINAL = ["Completed", "Failed", "Cancelled", "Crashed"]


def ensure_pool(client, pool: str) -> None:
    try:
        client.read_work_pool(pool)
    except ObjectNotFound:
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        print(f"work pool {pool} (process) created")


def ensure_writer_limit(client) -> None:
    try:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=1))
        print(f"global concurrency limit {WRITER_LIMIT} (1 slot) created")
    except ObjectAlreadyExists:
        limit = client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
        if limit.limit != 1 or not limit.active:
            sys.exit(f"the global concurrency limit {WRITER_LIMIT} exists with {limit.limit} slots"
                     f"{'' if limit.active else ', inactive'}; the warehouse has one writer: set it to 1 slot, "
                     f"active (prefect gcl update {WRITER_LIMIT} --limit 1 --enable)")


def ensure_zombie_automation(client) -> None:
    """A flow run whose process is gone (a worker killed with it, a machine lost) stops sending heartbeats;
    this marks it crashed, so that a waiting backfill and the history say so."""
    if client.read_automations_by_name(ZOMBIE_AUTOMATION):
        return
    client.create_automation(AutomationCore(
        name=ZOMBIE_AUTOMATION,
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", *(f"prefect.flow-run.{s}" for s in FINAL)},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=HEARTBEAT_S * HEARTBEATS_MISSED)),
        actions=[ChangeFlowRunState(state=StateType.CRASHED,
                                    message="its heartbeats stopped: the worker or its machine died mid-run")]))
    print(f"automation {ZOMBIE_AUTOMATION!r} created")


def deploy(pool: str) -> list[str]:
    env = {WRITER_LIMIT_ENV: WRITER_LIMIT, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_S)}
    with get_client(sync_client=True) as client:
        ensure_pool(client, pool)
        ensure_writer_limit(client)
        ensure_zombie_automation(client)
    names = []
    for flow, name, extra in [
        (nightly, DEPLOYMENT_NAME, {"schedule": Cron(NIGHTLY_CRON, timezone=NIGHTLY_TIMEZONE)}),
        (ingest_recaps, "kbetl-ingest", {}),
        (pull_daily_reports, "kbetl-pull", {}),
        (backfill, "kbetl-backfill", {"parameters": {"year_deployment": YEAR_DEPLOYMENT}}),
        (backfill_one_year, YEAR_DEPLOYMENT.split("/")[1], {}),
    ]:
        deployment = flow.to_deployment(name, work_pool_name=pool, job_variables={"env": env},
                                        entrypoint_type=EntrypointType.MODULE_PATH, **extra)
        deployment.apply(work_pool_name=pool)
        names.append(f"{flow.name}/{name}")
    return names


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flows.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", default=WRITER_POOL, help=f"the writer host's process work pool ({WRITER_POOL})")
    args = parser.parse_args(argv)
    for name in deploy(args.pool):
        print(f"deployment {name} on work pool {args.pool}")


if __name__ == "__main__":
    main()
