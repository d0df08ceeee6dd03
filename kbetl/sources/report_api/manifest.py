"""What a province pull says of itself, for its package and the warehouse's lineage: its year, province and
days, version (the export's SHA-256, or the hash of its JSON responses' hashes), status, and rows. Its records
are checked against the contract when the year's pulls load, so the rows rejected here are those the source
could not decode (their reasons: the checks that refused them)."""

import hashlib
from collections import Counter

from kbetl.sources.report_api.pull import ProvincePull


def pull_manifest(pull: ProvincePull) -> dict:
    undecodable = pull.undecodable
    if undecodable.empty:
        rejected, rows_rejected = Counter(), 0
    else:
        rejected = Counter(undecodable.drop_duplicates(["file_sha256", "source_row", "check_name"])["check_name"])
        rows_rejected = len(undecodable[["file_sha256", "source_row"]].drop_duplicates())
    responses = sorted(landing.sha256 for landing in pull.landings)
    version = (pull.export.sha256 if pull.export else
               hashlib.sha256("\n".join(responses).encode()).hexdigest() if responses else None)
    return {
        "source": "daily", "status": pull.status, "name": pull.province_code,
        "scope": [{"year": pull.campaign_year, "region": pull.province_code,
                   "days": [min(pull.days).isoformat(), max(pull.days).isoformat()] if pull.days else []}],
        "version": version,
        "rows": {"read": pull.records_in, "accepted": pull.records_in - rows_rejected, "rejected": rows_rejected,
                 "skipped": 0},
        "reasons": {"rejected": dict(sorted(rejected.items())), "skipped": {}},
        "findings": 0,
        "refused": pull.error,
    }
