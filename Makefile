# Equipoise — two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
SEMANTIC_STAMP := $(VENV)/.installed-semantic
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CUSTOMERS ?= 20000
MONTHS ?= 12
SEED ?= 7

.PHONY: run test setup lint bench clean

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11+ or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# The Spark backend (optional extra) is installed for the test suite's backend-parity tests.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,spark]"
	touch $(SPARK_STAMP)

# The [semantic] extra (knowledge search by meaning) is installed for the test suite, not by `make run`.
# torch first, in its own pip call, so pip takes the CPU build of exactly this release.
$(SEMANTIC_STAMP): $(SPARK_STAMP)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,spark,semantic]"
	touch $(SEMANTIC_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

run: setup
	$(BIN)/equipoise db upgrade
	$(BIN)/equipoise demo build --if-absent --customers $(CUSTOMERS) --months $(MONTHS) --seed $(SEED)
	$(BIN)/equipoise serve --host $(HOST) --port $(PORT)

test: setup $(SPARK_STAMP) $(SEMANTIC_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules var test-artifacts .pytest_cache
