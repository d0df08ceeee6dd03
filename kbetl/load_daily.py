"""Writes a province's daily pull to the working database, in one transaction.

Responses land once per content hash. A record version (facility, day, method, service type,
updated_at) is stored once, so pulling the same day again adds nothing, and a correction (a later
updated_at) adds a version that supersedes the earlier one in staging.daily_current.
"""

import duckdb
import pandas as pd

from kbetl.daily import ProvincePull
from kbetl.load import now

RECORD_KEY = ["facility_code", "report_date", "method", "service_type", "updated_at"]


def load_province_pull(con: duckdb.DuckDBPyConnection, pull: ProvincePull, run_id: str) -> int:
    """Loads a pulled province; records a failed one. Returns the number of new record versions."""
    if pull.status == "failed":
        _record_pull(con, pull, run_id, "failed", 0)
        return 0
    con.execute("begin")
    try:
        landed = pd.DataFrame([(lnd.sha256, lnd.url, lnd.status, lnd.body, lnd.fetched_at) for lnd in pull.landings],
                              columns=["response_sha256", "url", "http_status", "body", "fetched_at"])
        con.register("landed", landed.drop_duplicates("response_sha256"))
        con.execute("""insert into raw.api_responses
                       select l.*, ? from landed l
                       where l.response_sha256 not in (select response_sha256 from raw.api_responses)""", [run_id])
        scope = [pull.campaign_year, pull.province_code]
        con.execute("delete from staging.facilities where campaign_year = ? and province_code = ?", scope)
        con.register("register", pull.facilities)
        con.execute("""insert into staging.facilities
                       select ?, ?, facility_code, facility_name, district_code, regency_code, kind from register""",
                    scope)
        con.execute("delete from staging.daily_targets where campaign_year = ? and province_code = ?", scope)
        con.register("targets", pull.targets)
        con.execute("""insert into staging.daily_targets
                       select ?, ?, region_code, level, target, kbpp_target from targets""", scope)
        before = con.execute("select count(*) from staging.daily_records").fetchall()[0][0]
        con.register("records", pull.records)
        con.execute("""insert into staging.daily_records
                       select ?, ?, r.facility_code, r.regency_code, r.method, r.service_type, r.report_date,
                              r.acceptors, r.reported_at, r.updated_at, r.file_sha256, r.source_row, ?
                       from (select * from records
                             qualify row_number() over (partition by facility_code, report_date, method,
                                                        service_type, updated_at order by source_row) = 1) r
                       anti join staging.daily_records d
                           using (facility_code, report_date, method, service_type, updated_at)""",
                    [*scope, run_id])
        new = con.execute("select count(*) from staging.daily_records").fetchall()[0][0] - before
        con.register("rejected", pull.quarantine.assign(run_id=run_id))
        con.execute("""insert into audit.quarantine
                       select file_sha256, file_name, source_row, column_name, check_name, value, message, run_id
                       from rejected""")
        _record_pull(con, pull, run_id, "loaded", new)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for name in ("landed", "register", "targets", "records", "rejected"):
            con.unregister(name)
    return new


def _record_pull(con, pull: ProvincePull, run_id: str, status: str, new: int) -> None:
    rejected = pull.records_rejected
    con.execute("insert into audit.api_pulls values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, pull.campaign_year, pull.province_code, min(pull.days), max(pull.days), status, pull.error,
                 len(pull.landings), pull.records_in, len(pull.records), new, int(rejected), pull.seconds, now()])
