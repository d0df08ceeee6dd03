"""The data-quality checks and their thresholds: data in sql/audits/checks.csv and thresholds.csv, which
become ref.quality_checks and ref.quality_thresholds (the audits read their thresholds from there)."""

import pandas as pd

from kbetl.warehouse.database import SQL_DIR

AUDITS_DIR = SQL_DIR / "audits"


def quality_checks() -> pd.DataFrame:
    """blocks_award: a failing check makes the region's figure ineligible for an award (marts.ranking)."""
    checks = pd.read_csv(AUDITS_DIR / "checks.csv", dtype=str, keep_default_na=False)
    unknown = set(checks["blocks_award"]) - {"true", "false"}
    if unknown:
        raise ValueError(f"checks.csv: blocks_award is true or false, not {sorted(unknown)}")
    return checks.assign(blocks_award=checks["blocks_award"] == "true")


def quality_thresholds() -> pd.DataFrame:
    return pd.read_csv(AUDITS_DIR / "thresholds.csv", dtype={"check_name": str, "parameter": str, "value": float,
                                                              "meaning": str}, keep_default_na=False)
