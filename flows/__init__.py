"""Prefect flows: thin orchestration over kbetl.runs; each task is one call into kbetl.

Importing this package sets Prefect's defaults for kbetl before Prefect itself is imported, names this process
as the owner of the temporary Prefect server it may start, and registers an exit handler; it stops nothing.
"""

import atexit
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from flows import servers

# Offline machines: no telemetry, and the temporary server logs none of its errors about it.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# A fresh PREFECT_HOME migrates its database on first start, which can exceed the default wait.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_HOME", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".prefect"))
# Console on stdout, a task run's lines only at DEBUG (flows/logging.yml).
os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", os.path.join(os.path.dirname(__file__), "logging.yml"))

# Names this process as the owner of the temporary Prefect server it may start (flows.servers); stopping the
# servers of commands that are gone is something a command does at its start, never an import.
os.environ[servers.OWNER_ENV] = str(os.getpid())


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


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs started here send no heartbeats. A command runs its flow in its own process, in the foreground:
    when the process dies, so does the run, and nothing reads its heartbeats (they are for runs on workers, which
    get theirs from the deployments, flows/deploy.py). Sending them, the run ended by joining their thread, which
    sleeps a second at a time: up to a second of every command's run."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
