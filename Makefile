# Two commands: `make up` runs planwatch, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PLANWATCH_HOME ?= $(CURDIR)/instance
SEED_AGENCIES := plan_items/agencies-cao-bang.yaml
SEED_PLAN := plan_items/516-KH-TU.yaml
THROUGH ?= 2026-12-31

.PHONY: install up seed test lint bench bench-quick clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

seed: install
	$(BIN)/planwatch init
	$(BIN)/planwatch agencies import $(SEED_AGENCIES)
	$(BIN)/planwatch plan import $(SEED_PLAN)
	$(BIN)/planwatch tasks generate --through $(THROUGH)

up: seed
	$(BIN)/planwatch demo-users
	$(BIN)/planwatch up

# In parallel, one process per core (pytest-xdist); each worker has its own databases and home
# folders (tests/conftest.py). loadgroup keeps an xdist_group on one worker: the Prefect test
# server and Chromium start once. PYTEST_ARGS is appended (e.g. PYTEST_ARGS="-n 0 -x").
test: install
	$(BIN)/python -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# Benchmarks (docs/benchmarks.md): ratios against floors measured in the same run.
export PLANWATCH_BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
bench: install
	$(BIN)/python -m bench --db postgres --scale 1000000 --out docs/benchmarks.md

bench-quick: install
	$(BIN)/python -m bench --db sqlite --quick --out docs/benchmarks-quick.md

clean:
	rm -rf $(VENV) instance
