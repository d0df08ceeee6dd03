"""The working DuckDB database: connecting and locking, the run record, reference tables, the SQL
models (transform) and the published analyst file."""
