"""Where extracting and checking run: on this machine's threads (the default), or on a Dask cluster when
$KBETL_DASK_ADDRESS names its scheduler. On a cluster, what crosses machines are files on the landing
location every machine sees ($KBETL_LANDING): recap files, landed exports, validated Parquet; the load reads
them on the writer host."""

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from prefect.task_runners import TaskRunner

from kbetl.packages import LANDING_ENV, shared_landing
from kbetl.warehouse.database import WarehouseError

DASK_ENV = "KBETL_DASK_ADDRESS"
DASK_DEFAULT_PORT = 8786
SCHEDULER_CONNECT_S = 5.0  # a scheduler on the network answers in milliseconds; Dask itself waits 30 s


class ScaleOutSettingError(WarehouseError):
    pass


def dask_address() -> str | None:
    return os.environ.get(DASK_ENV, "").strip() or None


def check_scheduler() -> None:
    """When $KBETL_DASK_ADDRESS is set, its scheduler must accept a connection (within a few seconds):
    checked before a run starts, so that a wrong address is one sentence naming the setting."""
    address = dask_address()
    if address is None:
        return
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        socket.create_connection((parts.hostname, parts.port or DASK_DEFAULT_PORT), SCHEDULER_CONNECT_S).close()
    except (OSError, ValueError, TypeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ScaleOutSettingError(f"{DASK_ENV}={address!r}: penjadwal Dask di alamat itu tidak dapat dihubungi "
                                   f"({reason}); jalankan penjadwalnya, perbaiki alamatnya, atau kosongkan "
                                   f"{DASK_ENV} agar semuanya berjalan di mesin ini.") from None


def task_runner() -> TaskRunner | None:
    """A flow's task runner, chosen when its module is imported: None keeps Prefect's default (threads)."""
    address = dask_address()
    if address is None:
        return None
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


def cluster_landing() -> Path | None:
    """The shared landing location when extracting runs on a Dask cluster; None on one machine."""
    if dask_address() is None:
        return None
    landing = shared_landing()
    if landing is None:
        raise ScaleOutSettingError(f"{DASK_ENV} is set but {LANDING_ENV} is not: set it to a folder every "
                                   "machine of the cluster sees (results cross machines as files there)")
    return landing
