"""What every source writes to the audit layer: a rejected value (quarantine) and a cross-check finding.

The one list of their columns: the sources build their frames from it, and a test holds the tables of
sql/warehouse.sql to it.
"""

SOURCE = ("file_sha256", "file_name")  # the file or API response a row came from
PROBLEM = ("source_row", "column_name", "check_name", "value", "message")  # a rejected value, where and why
QUARANTINE = (*SOURCE, *PROBLEM, "run_id")  # audit.quarantine
FINDING = ("check_name", "source_row", "region_code", "expected", "actual", "message")  # a cross-check's result
FINDINGS = (*SOURCE, *FINDING, "run_id")  # audit.findings
