"""Debian packages a test needs, installed with apt-get when missing: one install at a time on the machine
(tests running in parallel would otherwise meet apt's and dpkg's locks)."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

LOCK = "/tmp/kbetl-tests-apt.lock"


@contextmanager
def one_install_at_a_time() -> Iterator[None]:
    """Held while checking for and installing packages; a second test waits, then finds them installed."""
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
