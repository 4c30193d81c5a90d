# dailypapers task runner. `make run` serves the demo; `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run serve test check lint typecheck pytest bench load audit clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs are stamped so repeated runs are instant; editing pyproject.toml reinstalls.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed  ## set up, create the database, load the demo, serve on :8000
	$(BIN)/dailypapers db upgrade
	$(BIN)/dailypapers demo load --if-empty
	$(BIN)/dailypapers serve --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	$(BIN)/dailypapers serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest  ## lint, type checks and the whole test suite

# The edit loop: everything but the browser, PostgreSQL and the slow suites (see conftest.py).
check: lint typecheck $(VENV)/.installed-test  ## lint, type checks and the fast tests (< 2 min)
	$(BIN)/pytest -q -n 2 -m "not browser and not postgres and not slow" $(PYTEST_ARGS)

bench: $(VENV)/.installed-test  ## benchmarks: print figures and ratios
	$(BIN)/python bench/import_throughput.py
	$(BIN)/python bench/web_latency.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/digest_bench.py

load: $(VENV)/.installed-test  ## 60 s of mixed traffic from 50 readers, SQLite then PostgreSQL
	$(BIN)/python bench/load_test.py --engine sqlite
	$(BIN)/python bench/load_test.py --engine postgresql

audit: $(VENV)/.installed-test  ## known vulnerabilities in the installed dependencies (needs PyPI)
	$(BIN)/pip-audit --skip-editable
	$(BIN)/dailypapers eval ../shared/data/cisi ../shared/data/csfcube-dev

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
