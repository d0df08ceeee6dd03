"""kbetl's tests: unit/ (fast, in-process) and integration/ (servers, flows, subprocesses)."""
