"""A console filter for Prefect's logging (flows/logging.yml): a task run's lines below WARNING only
when KBETL_LOG_LEVEL=DEBUG, so that a run of 222 files does not print 222 lines."""

import logging
import os


class TaskRunsAtDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("prefect.task_runs") or record.levelno >= logging.WARNING:
            return True
        return os.environ.get("KBETL_LOG_LEVEL", "").upper() == "DEBUG"
