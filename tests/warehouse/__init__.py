"""Files loaded through the whole run (real DuckDB file, every model and audit); no Prefect, no server, no socket,
no subprocess (tests/helpers/in_process.py enforces it)."""
