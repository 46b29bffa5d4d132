# Two front-door commands: `make demo` (the daily job end to end on demo data) and
# `make test` (every test). Both create .venv and install the pinned dependencies first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench install lint clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/leadscore demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The benchmark (not part of `make test`): TIER=S|M|L, default M. See README, Benchmark.
TIER ?= M
bench: $(STAMP)
	$(BIN)/leadscore bench --tier $(TIER)

clean:
	rm -rf $(VENV) data target logs
