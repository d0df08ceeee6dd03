"""Where extracting and checking run: on this machine's threads (the default), or on a Dask cluster when
$KBETL_DASK_ADDRESS names its scheduler. On a cluster, what crosses machines are files on the landing
location every machine sees ($KBETL_LANDING): recap files, landed exports, validated Parquet; the load reads
them on the writer host."""

import os
from pathlib import Path

from prefect.task_runners import TaskRunner

from kbetl.landing import LANDING_ENV, shared_landing
from kbetl.warehouse.database import WarehouseError

DASK_ENV = "KBETL_DASK_ADDRESS"


class ScaleOutSettingError(WarehouseError):
    pass


def dask_address() -> str | None:
    return os.environ.get(DASK_ENV, "").strip() or None


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
