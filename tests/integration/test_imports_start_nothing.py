"""Importing any module of kbetl or flows starts, stops and writes nothing: no thread, no process, no socket
(a server, a connection), no file; a command does these things when it runs (issue 22)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import importlib, json, os, sys, threading

def state():
    fds = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    children = open(f"/proc/self/task/{os.getpid()}/children").read().split()
    threads = sorted(open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task"))
    return {"threads": threads, "python_threads": threading.active_count(),
            "children": children, "sockets": sorted(t for t in fds.values() if t.startswith("socket:"))}

# Native pools two libraries start when loaded (numpy's OpenBLAS workers, pyarrow's jemalloc thread): theirs,
# not an import of kbetl's, so they are running before the count starts.
import numpy, pyarrow
before = state()
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps({"before": before, "after": state()}))
"""


def modules() -> list[str]:
    found = []
    for package in ("kbetl", "flows"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_importing_every_module_of_kbetl_and_flows_starts_and_writes_nothing(tmp_path):
    names = modules()
    assert {"kbetl.cli", "kbetl.runs", "flows", "flows.backfill", "flows.deploy", "flows.fanout"} <= set(names)
    home, scratch, cwd = tmp_path / "home", tmp_path / "tmp", tmp_path / "cwd"
    for folder in (home, scratch, cwd):
        folder.mkdir()
    project = files_under(ROOT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KBETL_"))}
    env.update({"HOME": str(home), "TMPDIR": str(scratch), "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, "-c", SCRIPT, *names], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["after"] == seen["before"], "a thread, a process or a socket was started by an import"
    assert seen["after"]["python_threads"] == 1 and seen["after"]["sockets"] == [] == seen["after"]["children"]
    written = [str(p) for p in sorted(files_under(home) | files_under(scratch) | files_under(cwd))]
    assert written == [], "files written by an import"
    assert files_under(ROOT) - project == set(), "files written into the project by an import"
