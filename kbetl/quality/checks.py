"""The data-quality checks and their thresholds: data in sql/audits/checks.csv and thresholds.csv, which
become ref.quality_checks and ref.quality_thresholds (the audits read their thresholds from there)."""

import pandas as pd

from kbetl.warehouse.database import SQL_DIR

AUDITS_DIR = SQL_DIR / "audits"


def quality_checks() -> pd.DataFrame:
    return pd.read_csv(AUDITS_DIR / "checks.csv", dtype=str, keep_default_na=False)


def quality_thresholds() -> pd.DataFrame:
    return pd.read_csv(AUDITS_DIR / "thresholds.csv", dtype={"check_name": str, "parameter": str, "value": float,
                                                              "meaning": str}, keep_default_na=False)
