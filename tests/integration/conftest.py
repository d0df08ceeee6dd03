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


@pytest.fixture(scope="session")
def quick_start_warehouse(sample_warehouse, tmp_path_factory) -> Path:
    """The quick start's working database (sample recaps, the quick start's facility data with the planted
    faults), published beside it, built once for the session; read them or copy them, never write them."""
    from tests.helpers.warehouse import with_facility_data

    return with_facility_data(sample_warehouse, tmp_path_factory.mktemp("quickstart"), True)
