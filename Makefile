# Two front-door commands: `make demo` (the daily job end to end on demo data) and
# `make test` (every test). Both create .venv and install the pinned dependencies first.
# For the work loop: `make test-fast` (unit tests, dbt unit tests, ingest; a few minutes)
# and `make lint` (ruff for Python, sqlfluff for SQL; CI runs it before the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench install browser lint lint-python lint-sql format clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# pip's and setuptools' notices (this machine's index settings, editable installs) go
	@# to install.log, printed in full if the install fails.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" 2> $(VENV)/install.log \
		|| { cat $(VENV)/install.log; exit 1; }
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]" 2>> $(VENV)/install.log \
		|| { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

# Headless Chromium from Debian's packages, for the report's browser test (Playwright drives
# it; a browser build that downloads itself cannot be fetched here). Only `make test` and
# `make install` need it, not `make demo`. The file itself is the stamp: installed when missing.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@echo "$(CHROMIUM) is missing: installing Debian's chromium (the report's browser test in make test)"
	@if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; else \
		echo "Cannot install chromium: not root and no sudo. As root run: apt-get update &&" \
			"apt-get install -y --no-install-recommends chromium" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "Cannot install chromium: no apt-get. Install" \
		"Chromium so that $(CHROMIUM) runs it (the report's browser test launches that path)." >&2; exit 1; }; \
	$$sudo apt-get update -q && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
	@test -x $(CHROMIUM) || { echo "apt-get installed chromium but $(CHROMIUM) is not there" >&2; exit 1; }

browser: $(CHROMIUM)

install: $(STAMP) $(CHROMIUM)

demo: $(STAMP)
	$(BIN)/leadscore demo

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest

# The work loop's tier: Python unit tests, the dbt unit tests, ingestion.
FAST_TESTS := tests/runtime tests/demo_data tests/ingest/test_ingest.py tests/ingest/test_key_check.py \
	tests/scoring/test_dbt_unit_tests.py tests/test_docs.py
test-fast: $(STAMP)
	$(BIN)/python -m pytest $(wildcard $(FAST_TESTS))

# sqlfluff's dbt templater compiles the models: it gets the profile the CLI uses (a copy of
# profiles.example.yml) in a scratch home, so its DuckDB file is never a warehouse a build holds.
lint: lint-python lint-sql

lint-python: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-sql: $(STAMP)
	home=$$(mktemp -d) && mkdir -p $$home/.dbt && cp profiles.example.yml $$home/.dbt/profiles.yml && \
	LEADSCORE_HOME=$$home DBT_PROFILES_DIR=$$home/.dbt DBT_SEND_ANONYMOUS_USAGE_STATS=false \
	$(BIN)/sqlfluff lint models tests/dbt; status=$$?; rm -rf $$home; exit $$status

# Apply what the linters can fix by themselves.
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark (not part of `make test`): TIER=S|M|L, default M. See docs/benchmark.md.
TIER ?= M
bench: $(STAMP)
	$(BIN)/leadscore bench --tier $(TIER)

clean:
	rm -rf $(VENV) data target logs
