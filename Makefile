# The project's one interface. `make run` and `make test` are the README's quick start; CI runs them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test unit samples docs bench nightly-start nightly-stop server-start server-stop deploy clean

run: $(INSTALLED)
	$(BIN)/kbetl-dev quickstart

# Tests run on every core (pytest-xdist), a file's tests on one worker so that what they share (a cluster,
# a warehouse built for the module) is built once. (--dist loadgroup would let a file's tests be split, but
# with pytest 9.2 xdist 3.8 cannot attach the group to a test and loadgroup runs as plain load.)
# The files are handed out in collection order, which tests/conftest.py begins with the longest files.
# One worker more than the cores: many tests wait (a cluster's heartbeat window, a server, a deadline) and a
# core left idle by a waiting worker takes another's tests (2 cores, idle, 5 December 2026: 360 s with 3
# workers, 389 s with 4).
# TEST_WORKERS=0 runs them in this process, one after another.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# pytest keeps the assertion-rewritten test files and plugins (hypothesis, anyio, xdist...) in __pycache__, unless
# PYTHONDONTWRITEBYTECODE is set, as some machines and images do: then each worker rewrites ~230 modules again
# every run (2.3 CPU-s a worker, idle). The tests run with it unset, and the install writes those caches (a
# collection, 6 s), so that a fresh clone's first run reads them too. The install also leaves a Prefect database
# migrated, from which the tests' Prefect server starts (tests/helpers/prefect_server.py).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

test: $(INSTALLED)
	$(PYTEST) -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

unit: $(INSTALLED)
	$(PYTEST) -q -n $(TEST_WORKERS) --dist loadfile tests/unit

samples: $(INSTALLED)
	$(BIN)/kbetl-dev generate-samples data/sample --current-users-dir data/sample-current-users

docs: $(INSTALLED)
	$(BIN)/kbetl docs

bench: $(INSTALLED)
	$(BIN)/kbetl-dev bench --json bench.json

nightly-start: $(INSTALLED)
	scripts/nightly.sh start

nightly-stop:
	scripts/nightly.sh stop

# Past one machine (docs/operations.md, "Scaling out"): PostgreSQL and a Prefect server on it; then the
# work pool, the writer's limit and the deployments (PREFECT_API_URL names the server).
server-start: $(INSTALLED)
	scripts/server.sh start

server-stop:
	scripts/server.sh stop

deploy: $(INSTALLED)
	$(BIN)/python -m flows.deploy

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(PYTEST) -q --collect-only -p no:cacheprovider > $(VENV)/collected.txt || (cat $(VENV)/collected.txt; exit 1)
	rm -rf $(VENV)/prefect-migrated && PREFECT_HOME=$(VENV)/prefect-migrated PREFECT_SERVER_ANALYTICS_ENABLED=false \
		DO_NOT_TRACK=1 $(BIN)/prefect server database upgrade -y > $(VENV)/prefect-migrated.txt 2>&1 \
		|| (cat $(VENV)/prefect-migrated.txt; exit 1)
	touch $(INSTALLED)

clean:
	rm -rf $(VENV) .prefect .prefect-server warehouse bench-work bench.json
