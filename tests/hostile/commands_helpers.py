"""Helpers of the command tests (issue 20): `kbetl` in a subprocess with a Prefect home of its own, and
the one sentence a refused command ends in."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers.facility_data import bengkulu_2022
from tests.helpers.prefect_server import without_test_server
from tests.helpers.warehouse import SAMPLE_DIR, publish_recaps
from tests.hostile.runs_helpers import KBETL
from tests.warehouse.test_digest import published


def kbetl(tmp_path: Path, *args, env: dict | None = None, timeout: float = 300,
          own_prefect: bool = False) -> subprocess.CompletedProcess:
    """own_prefect: without the tests' Prefect server, as a command on its own runs (see prefect_started)."""
    environment = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), **(env or {})}
    if own_prefect:
        environment = without_test_server(environment)
    return subprocess.run([KBETL, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=environment, start_new_session=True)


def sentence(result: subprocess.CompletedProcess) -> str:
    """The refusal: exit non-zero, no traceback, and the last line of stderr (one sentence)."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, output[-3000:]
    return lines[-1]


def prefect_started(tmp_path: Path) -> bool:
    """Whether the command (run with own_prefect) started Prefect's temporary server (which creates its
    database; so these homes are never given the run's migrated one, see prefect_server.migrated_home)."""
    return (tmp_path / "prefect" / "prefect.db").exists()


@pytest.fixture(scope="module")
def pulled_only(tmp_path_factory) -> Path:
    """A working database (and its published file) with the daily facility reports of Bengkulu 2022 only."""
    db = tmp_path_factory.mktemp("pulled") / "work.duckdb"
    published(db, bengkulu_2022(), 2022, "17")
    return db


@pytest.fixture(scope="module")
def recaps_2022(tmp_path_factory) -> Path:
    """A working database (and its published file) with the 2022 national recap and Bengkulu's."""
    db = tmp_path_factory.mktemp("recaps") / "work.duckdb"
    publish_recaps(db, SAMPLE_DIR / "2022" / "00_nasional_2022.csv", *sorted((SAMPLE_DIR / "2022").glob("17_*")))
    return db
