"""Progress of a run as events (files found, a province pulled, a year done), for whoever shows them:
the CLI's bars on a terminal or its plain lines in a log. Nothing listens by default."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, dict], None]
_listeners: list[Listener] = []


def emit(event: str, **fields) -> None:
    for listener in list(_listeners):
        listener(event, fields)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
