"""What a staged recap file says of itself, for its package and the warehouse's lineage: its scopes, version
(the file's SHA-256), status, rows read / accepted / rejected / skipped with their reasons, and findings."""

from collections import Counter

from kbetl.sources.recaps.grid import stored_name
from kbetl.sources.recaps.stage import StagedFile


def recap_manifest(item: StagedFile) -> dict:
    recaps = item.recaps
    status = "unchanged" if item.unchanged else "refused" if item.refused is not None else "staged"
    rejected = Counter()
    for recap in recaps:
        rejected.update(recap.quarantine.drop_duplicates(["source_row", "check_name"])["check_name"])
    skipped = Counter(why for _, why, _ in recaps[0].extract.skipped_rows) if recaps else Counter()
    return {
        "source": "recap", "status": status, "name": stored_name(item.path.name),
        "scope": [{"year": r.campaign_year, "region": r.parent_code, "kind": r.kind} for r in recaps],
        "version": recaps[0].extract.sha256 if recaps else None,
        "rows": {"read": item.rows_read, "accepted": sum(r.rows_accepted for r in recaps),
                 "rejected": sum(r.rows_rejected for r in recaps), "skipped": item.rows_skipped},
        "reasons": {"rejected": dict(sorted(rejected.items())), "skipped": dict(sorted(skipped.items()))},
        "findings": sum(len(r.findings) for r in recaps),
        "refused": item.refused,
    }
