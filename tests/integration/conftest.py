"""Fixtures of the integration tests."""

from pathlib import Path

import pytest

from kbetl.runs import IngestSummary
from tests.helpers.warehouse import SAMPLE_DIR, ingest


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> tuple[Path, IngestSummary]:
    """The bundled sample recaps, ingested once for the session."""
    path = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    return path, ingest(path, SAMPLE_DIR)
