"""Fixtures for every test, and a Prefect home of the tests' own."""

import os
import tempfile
from pathlib import Path

# Tests never share (or lock) the project's Prefect database; set before anything imports Prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="kbetl-prefect-")

import pytest  # noqa: E402


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "warehouse.duckdb"
