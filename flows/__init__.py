"""Prefect flows: thin orchestration over kbetl.runs; each task is one call into kbetl.

Importing this package sets Prefect's defaults for kbetl before Prefect itself is imported.
"""

import os

# Offline machines: no telemetry, and the temporary server logs none of its errors about it.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# A fresh PREFECT_HOME migrates its database on first start, which can exceed the default wait.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_HOME", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".prefect"))
# Console on stdout, a task run's lines only at DEBUG (flows/logging.yml).
os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", os.path.join(os.path.dirname(__file__), "logging.yml"))
