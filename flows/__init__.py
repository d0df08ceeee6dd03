"""Prefect flows: thin orchestration; each task calls one kbetl function."""

import os

# Offline machines: no telemetry, and the temporary server logs none of its errors about it.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# A fresh PREFECT_HOME migrates its database on first start, which can exceed the default wait.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_HOME", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".prefect"))
