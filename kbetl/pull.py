"""Pulling daily facility reports into the warehouse, without an orchestrator.

The flow in flows/daily.py runs the same steps as Prefect tasks; this module holds them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kbetl import load, warehouse
from kbetl.daily import ProvincePull
from kbetl.load_daily import DailyBatch
from kbetl.publish import publish
from kbetl.transform import run_transforms


@dataclass
class DailySummary:
    run_id: str
    pulls: list[ProvincePull]
    new_records: int
    published: Path | None = None

    @property
    def failed(self) -> list[ProvincePull]:
        return [p for p in self.pulls if p.status == "failed"]

    def report(self) -> str:
        ok = [p for p in self.pulls if p.status != "failed"]
        lines = [f"run {self.run_id}: {len(ok)} provinces pulled, {len(self.failed)} failed; "
                 f"{sum(p.records_in for p in ok)} records received, {self.new_records} new, "
                 f"{sum(p.records_rejected for p in ok)} rejected"]
        lines += [f"  FAILED province {p.province_code}: {p.error}" for p in self.failed]
        return "\n".join(lines)


def landing_dir(db_path: Path) -> Path:
    """Where exports land until they are loaded (their bytes are then kept in raw.api_responses)."""
    return db_path.parent / "landing"


def load_pulls(db_path: Path, pulls: Iterable[ProvincePull], command: str, publish_to: Path | None = None,
               parameters: dict | None = None, transform: bool = True) -> DailySummary:
    """Loads a campaign year's province pulls as they come (one writer, one transaction), releasing each
    once staged; rebuilds that year's models (unless told not to); publishes if asked and no province
    failed (a failed run leaves the last good published file in place)."""
    run_id = load.new_run_id()
    con = warehouse.connect(db_path)
    try:
        load.start_run(con, run_id, command, parameters)
        load.load_reference(con)
        batch, new, loaded = None, 0, []
        try:
            for pull in pulls:
                batch = batch or DailyBatch(con, pull.campaign_year, run_id)
                batch.add(pull)
            if batch:
                new, loaded = batch.finish(), batch.pulls
        except BaseException:
            if batch:
                batch.abandon()
            raise
        for pull in loaded:
            if pull.export:
                pull.export.path.unlink(missing_ok=True)
        if transform and batch:
            run_transforms(con, years=[batch.year])
        failed = [p for p in loaded if p.status == "failed"]
        load.finish_run(con, run_id, "failed" if failed else "succeeded", [], 0)
        con.execute("checkpoint")
        published = publish(con, publish_to, run_id) if publish_to and not failed else None
    except Exception:
        load.finish_run(con, run_id, "failed", [], 0)
        raise
    finally:
        con.close()
    return DailySummary(run_id, loaded, new, published)
