"""Console filters for Prefect's logging (flows/logging.yml): a task run's lines below WARNING only when
KBETL_LOG_LEVEL=DEBUG, so that a run of 222 files does not print 222 lines; and a failure the user can
mend (a held or unwritable warehouse, a publish that failed) as its one sentence, without a traceback."""

import logging
import os


class KbetlConsole(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and _mendable(record.exc_info[1]):
            record.exc_info, record.exc_text = None, None
        if not record.name.startswith("prefect.task_runs") or record.levelno >= logging.WARNING:
            return True
        return os.environ.get("KBETL_LOG_LEVEL", "").upper() == "DEBUG"


def _mendable(exc: BaseException | None) -> bool:
    from kbetl.warehouse.database import WarehouseError

    return isinstance(exc, WarehouseError)
