"""Warehouse tests: files loaded through the run skeleton into a real DuckDB file and its marts read back, in
this process and off the network."""

from tests.helpers.in_process import no_network_no_subprocess  # noqa: F401  (autouse: the guard)
