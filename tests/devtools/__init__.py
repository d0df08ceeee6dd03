"""Tests of the developer tools (devtools/): the sample and facility-data generators, the benchmark. `make test`
runs them; `make unit` does not (they test the tools, not kbetl)."""
