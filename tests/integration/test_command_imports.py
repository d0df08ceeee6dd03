"""Each command imports what it runs (issue 24): `--help`, a mistyped option, `validate` and the commands that
read the published database start without Prefect; none imports Hypothesis (Pandera's data synthesis), and
only what checks a pull imports ibis. Each command runs as its console script does (kbetl.cli.main) in a process
of its own, which writes down the modules it imported when it exits."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.runs_helpers import BENGKULU

SCRIPT = r"""
import atexit, json, os, sys

def write_modules():
    with open(os.environ["MODULES_OUT"], "w") as out:
        json.dump(sorted(name for name, module in sys.modules.items() if module is not None), out)

atexit.register(write_modules)  # registered first, so it runs after every exit handler of the command
command = sys.argv[1]
sys.argv = sys.argv[1:]
main = __import__("devtools.cli" if command == "kbetl-dev" else "kbetl.cli", fromlist=["main"]).main
main()
"""
FLOWS = ["prefect"]
PULL_CHECK = ["ibis", "pandera.ibis", "hypothesis"]
RECAP_CHECK = ["pandas", "pandera"]


def run(tmp_path: Path, command: str, *args) -> tuple[subprocess.CompletedProcess, set[str]]:
    modules = tmp_path / "modules.json"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "MODULES_OUT": str(modules)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, command, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)
    return done, set(json.loads(modules.read_text()))


def imported(modules: set[str], *packages: str) -> list[str]:
    return [p for p in packages if p in modules]


def test_hypothesis_is_installed_here_so_that_not_importing_it_means_something():
    assert importlib.util.find_spec("hypothesis") is not None


@pytest.mark.parametrize("command", ["kbetl", "kbetl-dev"])
def test_help_imports_no_library_of_a_command(tmp_path, command):
    done, modules = run(tmp_path, command, "--help")
    assert done.returncode == 0 and "Usage:" in done.stdout, done.stderr[-2000:]
    assert imported(modules, *FLOWS, *PULL_CHECK, *RECAP_CHECK, "requests") == []


def test_a_mistyped_option_imports_no_library_of_a_command(tmp_path):
    done, modules = run(tmp_path, "kbetl", "ingest", "--kind", "bogus", tmp_path)
    assert done.returncode == 2 and "'bogus' is not one of" in done.stderr, done.stderr[-2000:]
    assert imported(modules, *FLOWS, *PULL_CHECK, *RECAP_CHECK) == []


def test_validate_checks_a_recap_without_prefect_ibis_or_hypothesis(tmp_path):
    done, modules = run(tmp_path, "kbetl", "validate", BENGKULU[0])
    assert done.returncode == 0 and "1 berkas diperiksa, 0 bermasalah" in done.stdout, done.stderr[-2000:]
    assert imported(modules, *RECAP_CHECK) == RECAP_CHECK  # it did check the file
    assert imported(modules, *FLOWS, *PULL_CHECK) == []


@pytest.mark.parametrize("args", [
    ["quality", "--year", "2022", "--province", "Bengkulu"],
    ["digest", "--date", "2022-06-15", "--province", "17"],
], ids=["quality", "digest"])
def test_commands_that_read_the_published_database_start_without_prefect(tmp_path, args):
    """Up to where they find no published database, having resolved the province on the year's map."""
    done, modules = run(tmp_path, "kbetl", *args, "--db", tmp_path / "none.duckdb")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "Belum ada basis data terbit" in done.stderr
    assert imported(modules, *FLOWS, *PULL_CHECK) == []


@pytest.mark.prefect
def test_a_recap_ingest_runs_its_flow_without_ibis_or_hypothesis(tmp_path):
    done, modules = run(tmp_path, "kbetl", "ingest", BENGKULU[0], "--db", tmp_path / "w.duckdb")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "w-published.duckdb").exists()
    assert imported(modules, *FLOWS) == FLOWS
    assert imported(modules, *PULL_CHECK) == []
