"""Tests that run Prefect flows, the reference report API on loopback, or commands in subprocesses."""
