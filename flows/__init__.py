"""Prefect flows: thin orchestration over kbetl.runs; each task is one call into kbetl.

Importing this package sets Prefect's defaults for kbetl before Prefect itself is imported.
"""

import atexit
import os
import signal
import sys

# Offline machines: no telemetry, and the temporary server logs none of its errors about it.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# A fresh PREFECT_HOME migrates its database on first start, which can exceed the default wait.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_HOME", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".prefect"))
# Console on stdout, a task run's lines only at DEBUG (flows/logging.yml).
os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", os.path.join(os.path.dirname(__file__), "logging.yml"))

# Prefect's temporary server inherits the environment: this names the command that started it, so that a
# server whose command was killed outright (kill -9, OOM killer) can be told from a live one and stopped.
OWNER_ENV = "KBETL_PREFECT_OWNER"
os.environ[OWNER_ENV] = str(os.getpid())
_SERVER_APP = b"prefect.server.api.server:create_app"


def stop_orphaned_servers() -> list[int]:
    """Stops (SIGTERM) the temporary Prefect servers of kbetl commands that are gone: a server whose
    command was killed is re-parented and lives on. Linux (/proc) only; servers of live commands, and
    servers kbetl did not start (`prefect server start`), are left alone. Says so, one line each."""
    stopped = []
    if not os.path.isdir("/proc"):
        return stopped
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                if _SERVER_APP not in f.read():
                    continue
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                environ = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            owner = int(environ[OWNER_ENV.encode()])
        except (OSError, KeyError, ValueError, IndexError):
            continue
        if ppid == owner:  # its command is alive (a dead command's children are re-parented)
            continue
        try:
            os.kill(int(entry.name), signal.SIGTERM)
        except OSError:
            continue
        stopped.append(int(entry.name))
        print(f"kbetl: stopped the temporary Prefect server (pid {entry.name}) of a kbetl command that was "
              f"killed (pid {owner})", file=sys.stderr)
    return stopped


stop_orphaned_servers()


def _stop_prefect_loop_threads() -> None:
    """Prefect's event-loop threads (GlobalEventLoopThread, RunSyncEventLoopThread) are daemon threads
    still running at exit; their frames keep module globals alive past the interpreter's module cleanup,
    so DuckDB's objects are never freed and its binding reports them ("nanobind: leaked ..."). Registered
    before Prefect is imported, this runs after Prefect's own exit handlers (temporary server, log and
    event workers)."""
    threads = sys.modules.get("prefect._internal.concurrency.threads")
    if threads is None:  # Prefect never ran here
        return
    for loop in (threads._global_loop, threads._run_sync_loop):
        if loop is not None and loop.thread.is_alive():
            loop.shutdown()
            loop.thread.join(timeout=5)


atexit.register(_stop_prefect_loop_threads)
