"""Fast tests of one module's logic: no warehouse run, no Prefect, no server, no socket, no subprocess
(tests/helpers/in_process.py enforces it)."""
