"""Fixtures of the integration tests."""

import os
import subprocess
import sys
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
def quickstart_warehouse(tmp_path_factory) -> tuple[Path, Path]:
    """(working, published) after `kbetl-dev quickstart` (what `make run` runs), run once as its own process."""
    folder = tmp_path_factory.mktemp("quickstart")
    working = folder / "kbetl-work.duckdb"
    command = [str(Path(sys.executable).parent / "kbetl-dev"), "quickstart", "--db", str(working)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBETL_")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return working, folder / "kbetl.duckdb"
