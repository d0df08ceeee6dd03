"""Tools for trying and measuring kbetl: the reference report API, the data generators, the benchmark
and the quick start. Used by the Makefile, the tests and the benchmark; never imported by kbetl/."""
