"""Data quality as health information systems measure it: the checks (sql/audits) and the scorecard."""
