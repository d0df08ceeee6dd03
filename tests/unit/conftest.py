"""Unit tests: one module's logic, no warehouse run, in this process and off the network."""

from tests.helpers.in_process import no_network_no_subprocess  # noqa: F401  (autouse: the guard)
