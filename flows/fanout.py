"""Where a flow's tasks run, the one thing that differs between one machine and a cluster: on this machine's
threads (the default), or on a Dask cluster when $KBETL_DASK_ADDRESS names its scheduler, chosen when a flow
run starts. On a cluster, what crosses machines are files on the landing location every machine sees
($KBETL_LANDING): recap files, packages, exports; the load reads them on the writer host."""

import os
import socket
from collections import deque
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from kbetl.packages import KEPT, LANDING_ENV, shared_landing
from kbetl.runs import MAX_PARALLEL_PROVINCES
from kbetl.warehouse.database import WarehouseError

DASK_ENV = "KBETL_DASK_ADDRESS"
DASK_DEFAULT_PORT = 8786
SCHEDULER_CONNECT_S = 5.0  # a scheduler on the network answers in milliseconds; Dask itself waits 30 s


class ScaleOutSettingError(WarehouseError):
    pass


def dask_address() -> str | None:
    return os.environ.get(DASK_ENV, "").strip() or None


def check_scheduler() -> None:
    """When $KBETL_DASK_ADDRESS is set, $KBETL_LANDING must be too and its scheduler must accept a connection
    (within a few seconds): checked before a run starts, so that a wrong setting is one sentence naming it."""
    address = dask_address()
    if address is None:
        return
    _shared_landing_set(address)
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        socket.create_connection((parts.hostname, parts.port or DASK_DEFAULT_PORT), SCHEDULER_CONNECT_S).close()
    except (OSError, ValueError, TypeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ScaleOutSettingError(f"{DASK_ENV}={address!r}: penjadwal Dask di alamat itu tidak dapat dihubungi "
                                   f"({reason}); jalankan penjadwalnya, perbaiki alamatnya, atau kosongkan "
                                   f"{DASK_ENV} agar semuanya berjalan di mesin ini.") from None


def _shared_landing_set(address: str) -> None:
    if shared_landing() is None:
        raise ScaleOutSettingError(f"{DASK_ENV}={address!r} diisi tetapi {LANDING_ENV} kosong: isi {LANDING_ENV} "
                                   "dengan folder yang terlihat oleh setiap mesin klaster (hasil kerja "
                                   "berpindah mesin sebagai berkas di sana), atau kosongkan " + DASK_ENV + ".")


def task_runner() -> TaskRunner:
    """The task runner for a flow run starting now: Dask when $KBETL_DASK_ADDRESS is set, else threads (at
    most MAX_PARALLEL_PROVINCES: Prefect's own pool has no bound)."""
    address = dask_address()
    if address is None:
        return ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_PROVINCES)
    _shared_landing_set(address)
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


def ahead_of_the_loader(submit: Callable[[object], PrefectFuture], inputs: list, *, in_order: bool
                        ) -> Iterator[PrefectFuture]:
    """Each input's task, submitted at most KEPT ahead of the loader that takes their packages: a package made
    in this process reaches the loader in memory only while no more than KEPT wait (kbetl.packages), and on a
    cluster no more than KEPT wait on the landing location. The first ones are submitted at once (while the
    caller opens the working file); futures are given back finished, in the inputs' order or as they finish."""
    queue, pending = deque(inputs), deque()

    def fill() -> None:
        while queue and len(pending) < KEPT:
            pending.append(submit(queue.popleft()))

    def taken() -> Iterator[PrefectFuture]:
        while pending:
            future = pending[0] if in_order else next(as_completed(list(pending)))
            future.wait()
            pending.remove(future)
            fill()
            yield future

    fill()
    return taken()


class RunnerOfTheRun(TaskRunner):
    """A flow's task runner, chosen by `task_runner()` when each of its runs starts (Prefect runs a flow with
    a duplicate of its runner), so that the setting of that moment counts, not the one when flows were
    imported. It runs nothing itself."""

    def duplicate(self) -> TaskRunner:
        return task_runner()

    def submit(self, task, parameters, wait_for=None, dependencies=None):
        raise TypeError("a flow runs its tasks on the duplicate that RunnerOfTheRun.duplicate() chose")
