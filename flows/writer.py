"""The warehouse's one writer, past one machine: every run of the run skeleton (kbetl.warehouse.run) holds a
slot of the Prefect global concurrency limit named by $KBETL_WRITER_LIMIT, strictly (a limit that does not
exist fails the run, it never runs unguarded). Imported by every flow module, which installs the guard."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from prefect.concurrency._asyncio import ConcurrencySlotAcquisitionError
from prefect.concurrency.sync import concurrency

from kbetl.warehouse import run
from kbetl.warehouse.database import WarehouseError

WRITER_LIMIT = "kbetl-warehouse-writer"
# The shortest lease Prefect takes. The holder renews it while it lives; a writer killed outright frees its
# slot when the lease runs out (the server's repossessor looks every 15 s), so the next run waits ~75 s at most.
LEASE_S = 60


@contextmanager
def hold_writer_slot(name: str) -> Iterator[None]:
    slot = ExitStack()
    try:
        slot.enter_context(concurrency(name, occupy=1, strict=True, lease_duration=LEASE_S))
    except ConcurrencySlotAcquisitionError as exc:
        raise WarehouseError(f"slot penulis gudang data tidak dapat diambil dari batas konkurensi global Prefect "
                             f"{name!r} ({exc}); buat dengan `prefect gcl create {name} --limit 1` "
                             f"(python -m flows.deploy membuatnya) atau kosongkan {run.WRITER_LIMIT_ENV}") from None
    with slot:
        yield


run.set_writer_guard(hold_writer_slot)
