"""Prefect's temporary servers of kbetl commands: which command started one, and stopping those whose command
is gone. A command stops them once, at its start (kbetl's and kbetl-dev's entry points); importing never does."""

import os
import signal
import sys

# Prefect's temporary server inherits the environment: this names the command that started it, so that a
# server whose command was killed outright (kill -9, OOM killer) can be told from a live one and stopped.
OWNER_ENV = "KBETL_PREFECT_OWNER"
_SERVER_APP = b"prefect.server.api.server:create_app"


def stop_orphaned_servers() -> list[int]:
    """Stops (SIGTERM) the temporary Prefect servers of kbetl commands that are gone: a server whose
    command was killed is re-parented and lives on. Linux (/proc) only; servers of live commands, of another
    Prefect home, and servers kbetl did not start (`prefect server start`), are left alone. Says so, one line each."""
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
        if environ.get(b"PREFECT_HOME") != os.fsencode(os.environ.get("PREFECT_HOME", "")):
            continue  # another installation's (or another user's settings): its own commands stop it
        try:
            os.kill(int(entry.name), signal.SIGTERM)
        except OSError:
            continue
        stopped.append(int(entry.name))
        print(f"kbetl: stopped the temporary Prefect server (pid {entry.name}) of a kbetl command that was "
              f"killed (pid {owner})", file=sys.stderr)
    return stopped
