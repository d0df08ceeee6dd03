"""Helpers of the run, lock and crash tests: a child process that stops where told, read-only folders,
the temporary Prefect servers kbetl commands start."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest

from kbetl.warehouse.database import PROJECT_DIR

KBETL = Path(sys.executable).parent / "kbetl"
SAMPLE = PROJECT_DIR / "data" / "sample"
BENGKULU = [SAMPLE / str(y) / name for y, name in ((2020, "17_bengkulu.csv"), (2021, "17_bengkulu.csv"))
            if (SAMPLE / str(y) / name).exists()]


def child(script: str) -> subprocess.Popen:
    """A Python child in a session of its own (so the test can kill it and all it started)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=PROJECT_DIR)


def wait_for(process: subprocess.Popen, line: str) -> list[str]:
    seen = []
    for got in process.stdout:
        seen.append(got.rstrip("\n"))
        if got.startswith(line):
            return seen
    raise AssertionError(f"child ended before {line!r}: {seen} {process.stderr.read()}")


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


@contextmanager
def read_only_dir(path: Path):
    """A folder nobody may write in, root included (chattr +i), restored afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("cannot make a folder read-only for root here")
        try:
            yield path
        finally:
            subprocess.run(["chattr", "-i", str(path)])
    else:
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)


def prefect_servers() -> dict[int, tuple[int, str]]:
    """Temporary Prefect servers on the machine: pid → (parent pid, the kbetl command that started it)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "prefect.server.api.server:create_app" not in cmdline:
                continue
            environ = dict(item.split("=", 1) for item in (entry / "environ").read_bytes().decode().split("\0")
                           if "=" in item)
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
        found[int(entry.name)] = (ppid, environ.get("KBETL_PREFECT_OWNER", ""))
    return found
