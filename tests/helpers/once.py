"""Something slow to build (a quick-start warehouse, the sample recaps ingested) built once per test run,
whichever of pytest's workers asks first, and copied for each worker (a DuckDB file copy takes
milliseconds): the tests of every worker read the same thing, and none can change another's copy."""

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
               ) -> tuple[Path, object]:
    """(a copy of the folder build(folder) filled, what build returned). build is called once per run, with
    an empty folder; what it returns must be picklable and should name files relative to the folder."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # every worker's base folder lies in the run's
        root = root.parent
    master, done = root / f"built-once-{name}", root / f"built-once-{name}.pickle"
    with open(root / f"built-once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait for the first to finish
        try:
            if not done.exists():
                shutil.rmtree(master, ignore_errors=True)
                master.mkdir()
                done.write_bytes(pickle.dumps(build(master)))
            result = pickle.loads(done.read_bytes())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    copy = tmp_path_factory.mktemp(name)
    shutil.copytree(master, copy, dirs_exist_ok=True)
    return copy, result
