"""Fast tests: no Prefect, no server, no socket, no subprocess (tests/unit/conftest.py enforces it)."""
