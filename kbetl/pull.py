"""Pulling daily facility reports into the warehouse, without an orchestrator.

The flow in flows/daily.py runs the same steps as Prefect tasks; this module holds them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kbetl import load, warehouse
from kbetl.daily import ProvincePull
from kbetl.load_daily import load_province_pull
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


def load_pulls(db_path: Path, pulls: Iterable[ProvincePull], command: str, publish_to: Path | None = None,
               parameters: dict | None = None, transform: bool = True) -> DailySummary:
    """Loads province pulls one at a time as they come (one writer), releasing each once written;
    rebuilds the models (unless told not to); publishes if asked and no province failed (a failed run
    leaves the last good published file in place)."""
    run_id = load.new_run_id()
    con = warehouse.connect(db_path)
    try:
        load.start_run(con, run_id, command, parameters)
        load.load_reference(con)
        loaded, new = [], 0
        for pull in pulls:
            new += load_province_pull(con, pull, run_id)
            loaded.append(pull.released())
        if transform:
            run_transforms(con)
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
