"""The loader of province pulls (what the report API source hands
the warehouse, read back from its package when it was made elsewhere): a
campaign year's pulls written to the working database in one transaction.

Each pull's responses land (once per content hash), its register and targets replace the earlier
ones, and its records are staged in a temporary table; once all provinces are in, the contract is
checked on the staged records in one pass (kbetl.sources.report_api.check) and the accepted ones are stored.
A record version (facility, day, method, service type, updated_at) is stored once, so pulling the
same day again adds nothing, and a correction (a later updated_at) adds a version that supersedes the
earlier one in staging.daily_current.
"""

from collections.abc import Iterable

import duckdb
import numpy as np
import pandas as pd

from kbetl.sources.report_api.check import ContractError, contract_types, failed_records, no_problems
from kbetl.sources.report_api.client import Export
from kbetl.sources.report_api.decode import source_name
from kbetl.sources.report_api.manifest import pull_manifest
from kbetl.sources.report_api.pull import ProvincePull
from kbetl.warehouse.database import mark_stale, rollback
from kbetl.warehouse.lineage import record_package
from kbetl.warehouse.run import Run, now
from schemas.audit import QUARANTINE

INCOMING = "daily_incoming"
RECORD_KEY = "facility_code, report_date, method, service_type, updated_at"


def load_pulls(run: Run, pulls: Iterable[ProvincePull]) -> list[ProvincePull]:
    """Loads one campaign year's pulls as they come, each released once staged; returns them, loaded or
    failed. A failed province fails the run; the others stay loaded."""
    batch = None
    try:
        for pull in pulls:
            batch = batch or DailyBatch(run.con, pull.campaign_year, run.id)
            batch.add(pull)
        if batch:
            batch.finish()
    except BaseException:
        if batch:
            batch.abandon()
        raise
    if batch is None:
        return []
    for pull in batch.pulls:
        if pull.export:
            pull.export.path.unlink(missing_ok=True)
    run.failed += [p.province_code for p in batch.pulls if p.status == "failed"]
    return batch.pulls


class DailyBatch:
    """Pulls of one campaign year and one window, added as they come; finish() checks and stores them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, year: int, run_id: str):
        self.con, self.year, self.run_id = con, year, run_id
        self.pulls: list[ProvincePull] = []
        self.registers: list[pd.DataFrame] = []  # written together in finish(), one statement each
        self.targets: list[pd.DataFrame] = []
        self.exports: list[tuple[str, Export]] = []  # (province, export), read together in finish()
        self.landed: list[tuple] = []  # JSON responses of the export pulls, written together too
        self.staged = 0
        self.days: set = set()
        self.manifests: list[dict] = []  # what each pull's source said of it, recorded with the batch
        con.execute("begin")
        types = contract_types()
        con.execute(f"create or replace temp table {INCOMING} (position bigint, province_code varchar, "
                    + ", ".join(f"{name} {kind}" for name, kind in types.items())
                    + ", file_sha256 varchar, file_name varchar, source_row integer)")

    def add(self, pull: ProvincePull) -> ProvincePull:
        """Stages a pull and returns it without its data (a failed one is only recorded)."""
        if pull.campaign_year != self.year:
            raise ValueError(f"a batch of {self.year} was given a pull of {pull.campaign_year}")
        self.manifests.append(pull_manifest(pull))
        if pull.status != "failed":
            try:
                self._stage(pull)
            except ContractError as exc:
                pull.status, pull.error = "failed", str(exc)
        self.days.update(pull.days)
        self.pulls.append(pull.released())
        return self.pulls[-1]

    def finish(self) -> int:
        """Checks the staged records, stores the accepted ones, records each pull; commits. Returns the
        number of new record versions."""
        con, scope = self.con, [self.year]
        self._stage_exports()
        self._replace_registers_and_targets()
        if self.staged:
            problems = failed_records(con, INCOMING, self.year, min(self.days), max(self.days))
        else:
            problems = no_problems()
        con.register("problems", problems)
        con.execute(f"""create or replace temp table daily_rejected as
                        select i.province_code, i.file_sha256, i.file_name, i.source_row, p.column_name, p.check_name,
                               p.value, p.message, p.position
                        from problems p join {INCOMING} i using (position)""")
        con.unregister("problems")
        # A version staged twice is stored once, the first; the hashes of the keys find the few staged more
        # than once without grouping every row by its five columns. Only the stored versions of the window's
        # days can already hold a staged one (the day is part of the key).
        con.execute(f"""create or replace temp table daily_new as
                        with kept as (select * from {INCOMING} anti join daily_rejected using (position)),
                        later_copies as (
                            select position from (
                                select position,
                                       row_number() over (partition by {RECORD_KEY} order by position) as copy
                                from kept
                                where hash({RECORD_KEY}) in
                                    (select hash({RECORD_KEY}) from kept group by all having count(*) > 1))
                            where copy > 1)
                        select k.* exclude (position) from kept k
                        anti join later_copies using (position)
                        anti join (select {RECORD_KEY} from staging.daily_records
                                   where campaign_year = ? and report_date between ? and ?) using ({RECORD_KEY})""",
                    [*scope, min(self.days), max(self.days)])
        con.execute("""insert into staging.daily_records
                       select ?, province_code, facility_code, regency_code, method, service_type, report_date,
                              acceptors, reported_at, updated_at, file_sha256, source_row, ?
                       from daily_new""", [*scope, self.run_id])
        con.execute(f"insert into audit.quarantine ({', '.join(QUARANTINE)}) "
                    f"select distinct {', '.join(QUARANTINE[:-1])}, ? from daily_rejected", [self.run_id])
        counts = self._counts()
        for pull in self.pulls:
            rejected, new = counts.get(pull.province_code, (0, 0))
            pull.records_rejected += rejected
            pull.records_accepted = pull.records_in - pull.records_rejected if pull.status != "failed" else 0
            pull.records_new = new
            _record_pull(con, pull, self.run_id)
        record_package(con, self.run_id, *self.manifests)
        con.execute(f"drop table {INCOMING}; drop table daily_rejected; drop table daily_new")
        mark_stale(con, scope)
        con.execute("commit")
        return sum(p.records_new for p in self.pulls)

    def abandon(self) -> None:
        rollback(self.con)

    def _replace_registers_and_targets(self) -> None:
        """The register and targets of each province staged replace the ones stored for the year."""
        if not self.registers:
            return
        con = self.con
        con.register("register", pd.concat(self.registers, ignore_index=True))
        con.register("targets", pd.concat(self.targets, ignore_index=True))
        provinces = [p.province_code for p in self.pulls if p.status != "failed"]
        for table in ("staging.facilities", "staging.daily_targets"):
            con.execute(f"delete from {table} where campaign_year = ? and province_code in (select unnest(?))",
                        [self.year, provinces])
        con.execute("""insert into staging.facilities
                       select ?, province_code, facility_code, facility_name, district_code, regency_code, kind
                       from register""", [self.year])
        con.execute("""insert into staging.daily_targets
                       select ?, province_code, region_code, level, target, kbpp_target from targets""", [self.year])
        for name in ("register", "targets"):
            con.unregister(name)
        self.registers, self.targets = [], []

    def _counts(self) -> dict[str, tuple[int, int]]:
        """(records rejected, record versions new) per province."""
        rejected = dict(self.con.execute("select province_code, count(distinct (file_sha256, source_row)) "
                                         "from daily_rejected group by all").fetchall())
        new = dict(self.con.execute("select province_code, count(*) from daily_new group by all").fetchall())
        return {p: (rejected.get(p, 0), new.get(p, 0)) for p in set(rejected) | set(new)}

    def _stage(self, pull: ProvincePull) -> None:
        """Export pulls are remembered and written together in finish(); page pulls are written now (their
        responses are large, and released once written)."""
        con = self.con
        if pull.export:
            _check_export_types(pull)
        landed = [(lnd.sha256, lnd.url, lnd.status, lnd.body, lnd.fetched_at) for lnd in pull.landings]
        self.registers.append(pull.facilities.assign(province_code=pull.province_code))
        self.targets.append(pull.targets.assign(province_code=pull.province_code))
        if pull.export:
            self.landed += landed
            self.exports.append((pull.province_code, pull.export))
            return
        _land(con, landed, self.run_id)
        con.register("records", pull.records.assign(position=range(self.staged, self.staged + len(pull.records))))
        con.execute(f"""insert into {INCOMING}
                        select position, ?, {", ".join(contract_types())}, file_sha256, file_name, source_row
                        from records""", [pull.province_code])
        con.unregister("records")
        self.staged += len(pull.records)
        if not pull.undecodable.empty:
            con.register("undecodable", pull.undecodable)
            con.execute(f"insert into audit.quarantine ({', '.join(QUARANTINE)}) "
                        f"select {', '.join(QUARANTINE[:-1])}, ? from undecodable", [self.run_id])
            con.unregister("undecodable")
            pull.records_rejected = len(pull.undecodable[["file_sha256", "source_row"]].drop_duplicates())

    def _stage_exports(self) -> None:
        """Every export of the batch in one read: its bytes to raw.api_responses, its rows to the staging
        table, numbered on from the page pulls' rows, file by file in row order."""
        if not self.exports:
            return
        con = self.con
        _land(con, self.landed, self.run_id)
        first_positions = self.staged + np.cumsum([0] + [e.records for _, e in self.exports[:-1]])
        files = pd.DataFrame([(str(e.path), i, first, province, e.sha256, e.url, source_name(e.url), e.fetched_at)
                              for i, ((province, e), first) in enumerate(zip(self.exports, first_positions))],
                             columns=["path", "ordinal", "first_position", "province_code", "sha256", "url",
                                      "file_name", "fetched_at"])
        paths = sorted(set(files["path"]))  # identical exports land as one file
        con.register("exports", files)
        con.execute("""insert into raw.api_responses
                       select e.sha256, e.url, 200, b.content, e.fetched_at, ?
                       from read_blob(?) b join exports e on b.filename = e.path
                       where e.sha256 not in (select response_sha256 from raw.api_responses)
                       qualify row_number() over (partition by e.sha256 order by e.ordinal) = 1""",
                    [self.run_id, paths])
        # A row's position is its file's first position plus its row number: the same numbering as a
        # row_number() over (file, row), without sorting every row.
        con.execute(f"""insert into {INCOMING}
                        select e.first_position + r.file_row_number, e.province_code,
                               {", ".join(f"r.{c}" for c in contract_types())}, e.sha256, e.file_name,
                               r.file_row_number + 1
                        from read_parquet(?, file_row_number = true, filename = true) r
                        join exports e on r.filename = e.path""", [paths])
        con.unregister("exports")
        self.staged += sum(e.records for _, e in self.exports)
        self.exports, self.landed = [], []

def _check_export_types(pull: ProvincePull) -> None:
    found = pull.export.columns  # read by the client as the export landed
    for name, kind in contract_types().items():
        if found.get(name) != kind:
            raise ContractError(f"{source_name(pull.export.url)}: column {name} is "
                                f"{found.get(name, 'missing')}, the contract says {kind}")


def _land(con: duckdb.DuckDBPyConnection, responses: list[tuple], run_id: str) -> None:
    landed = pd.DataFrame(responses, columns=["response_sha256", "url", "http_status", "body", "fetched_at"])
    con.register("landed", landed.drop_duplicates("response_sha256"))
    con.execute("""insert into raw.api_responses
                   select l.*, ? from landed l anti join raw.api_responses using (response_sha256)""", [run_id])
    con.unregister("landed")


def _record_pull(con, pull: ProvincePull, run_id: str) -> None:
    status = "failed" if pull.status == "failed" else "loaded"
    con.execute("insert into audit.api_pulls values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, pull.campaign_year, pull.province_code, min(pull.days), max(pull.days), status, pull.error,
                 pull.responses, pull.records_in, pull.records_accepted,
                 pull.records_new, pull.records_rejected, pull.seconds, now()])
