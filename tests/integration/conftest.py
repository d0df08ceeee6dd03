"""Fixtures of the integration tests."""

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kbetl.runs import IngestSummary
from tests.helpers.once import built_once
from tests.helpers.warehouse import SAMPLE_DIR, ingest, with_facility_data


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> tuple[Path, IngestSummary]:
    """The bundled sample recaps, ingested once for the test run (this worker's copy)."""
    folder, summary = built_once(tmp_path_factory, "sample", lambda f: ingest(f / "warehouse.duckdb", SAMPLE_DIR))
    return folder / "warehouse.duckdb", dataclasses.replace(summary, db_path=folder / "warehouse.duckdb")


@pytest.fixture(scope="session")
def quick_start_shaped(sample_warehouse, tmp_path_factory) -> Callable[[bool], Path]:
    """planted → the working file of a quick-start-shaped warehouse (with_facility_data), with or without the
    planted faults, its published file beside it: each kind built once for the test run; a copy of its own
    for each call."""
    def copy(planted: bool) -> Path:
        kind = "planted" if planted else "clean"
        folder, name = built_once(tmp_path_factory, f"quick-start-shaped-{kind}",
                                  lambda f: with_facility_data(sample_warehouse, f, planted).name)
        return folder / name

    return copy


def _quickstart(folder: Path) -> None:
    command = [str(Path(sys.executable).parent / "kbetl-dev"), "quickstart", "--db", str(folder / "kbetl-work.duckdb")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBETL_")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="session")
def quickstart_warehouse(tmp_path_factory) -> tuple[Path, Path]:
    """(working, published) after `kbetl-dev quickstart` (what `make run` runs), run once for the test run as its
    own process (this worker's copy)."""
    folder, _ = built_once(tmp_path_factory, "quickstart", _quickstart)
    return folder / "kbetl-work.duckdb", folder / "kbetl.duckdb"
