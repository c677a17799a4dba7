# The map of the build. `make` sets everything up and generates; `make test` runs the tests.
#
#   specs   -> download the pinned upstream files (SPECS_MIRROR=<dir> reads a local mirror instead)
#   bundle  -> one document per package, named components (Redocly), futures sections merged
#   fixes   -> our committed fix documents (specs/fixes/*.overlay.yaml)
#   names   -> readable class names
#   validate-> openapi-spec-validator
#   codegen -> openapi-python-client (pinned) into generated/, coverage checked
#   surface -> specs/surface/*.txt, the committed API surface summary
#   facades -> overlay/exchange_clients/_facades/, typed facades over every generated operation

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
SPECS_MIRROR ?=
SPECS_URL_BASE ?=
export SPECS_MIRROR SPECS_URL_BASE

BUILD := specs/build
STAMP_VENV := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
STAMP_SPECS := $(BUILD)/.fetched
STAMP_GEN := generated/.generated
STAMP_EDITABLE := $(VENV)/.editable
GEN_INPUTS := $(STAMP_SPECS) $(STAMP_NODE) specs/pipeline.yaml $(wildcard specs/fixes/*.yaml) \
	specs/bitflyer/openapi.yaml $(wildcard specs/codegen/*.yml specs/codegen/templates/*) $(wildcard scripts/*.py)

.PHONY: all install services specs bundle generate surface-check test test-fast lint dist clean repin lock bench record

all: install

install: $(STAMP_VENV) $(STAMP_NODE) $(STAMP_GEN) $(STAMP_EDITABLE) services
	@echo "ready: $(VENV) has exchange-clients installed (editable); activate with: source $(BIN)/activate"

# The coordination tests and `make bench` start a real redis-server (Debian's package): installed here when
# missing, so that a clean machine (and CI, through `make test`) runs those tests instead of skipping them.
services:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing redis-server (Debian)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is missing and cannot be installed here: install Debian's redis-server"; exit 1; \
	  fi; }

$(STAMP_VENV): requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# After generating: setuptools discovers the packages under generated/ when it installs.
$(STAMP_EDITABLE): $(STAMP_GEN) pyproject.toml
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

specs: $(STAMP_SPECS)
$(STAMP_SPECS): specs/upstream.lock.json scripts/fetch_specs.py | $(STAMP_VENV)
	cd scripts && ../$(PY) fetch_specs.py
	touch $@

generate: $(STAMP_GEN)
$(STAMP_GEN): $(GEN_INPUTS) | $(STAMP_VENV)
	cd scripts && ../$(PY) bundle_specs.py
	cd scripts && ../$(PY) apply_fixes.py
	cd scripts && ../$(PY) name_components.py
	cd scripts && ../$(PY) validate_specs.py
	cd scripts && ../$(PY) codegen.py
	cd scripts && ../$(PY) surface.py
	cd scripts && ../$(PY) write_facades.py
	touch $@

# CI: the committed surface summary must match what the pinned pipeline generates from the pinned specs.
surface-check: $(STAMP_GEN)
	cd scripts && ../$(PY) surface.py --check

test: $(STAMP_GEN) surface-check services
	$(PY) -m pytest

test-fast: $(STAMP_GEN) services
	$(PY) -m pytest -m "not slow"

lint: $(STAMP_GEN)
	$(BIN)/ruff check overlay scripts tests
	$(BIN)/ruff format --check overlay scripts tests
	$(BIN)/mypy --strict overlay/exchange_clients scripts
	$(BIN)/mypy --strict generated/kraken_spot_api generated/kraken_futures_api generated/bitflyer_api

dist: $(STAMP_GEN)
	rm -rf dist
	$(PY) -m pip wheel --quiet --no-deps -w dist .
	@ls dist

# Re-pin the upstream specs: make repin COMMIT=<sha> [SPECS_MIRROR=...]; then review specs/upstream.lock.json.
repin: | $(STAMP_VENV)
	test -n "$(COMMIT)" || { echo "usage: make repin COMMIT=<sha>"; exit 2; }
	cd scripts && ../$(PY) repin_specs.py --commit $(COMMIT)

lock: | $(STAMP_VENV)
	$(PY) -m pip freeze --exclude-editable | sed '1i # Exact versions of every build and test tool; refresh with `make lock`.' > requirements-dev.txt

# A benchmark, not a test: our facades against bare httpx, and against the peers of the optional `bench` extra
# when they are installed ($(PY) -m pip install ccxt==4.5.90 python-kraken-sdk==3.5.1 krakenex==2.2.2
# pybitflyer==0.1.9, the pins in pyproject.toml), all calling a local loopback server that bench/ starts in a
# process of its own. Every client it builds has its rate limiter off. Prints the table and writes it to
# bench/results.md; takes about 2-3 minutes.
bench: $(STAMP_GEN) services | $(STAMP_VENV)
	PYTHONPATH=.:overlay:generated $(PY) -m bench

clean:
	rm -rf generated $(BUILD) overlay/exchange_clients/_facades dist build *.egg-info .pytest_cache .mypy_cache

# Cassettes (tests/cassettes): every operation and failure scenario, recorded through the facades against the
# local stand-in (tests/standin). The replay tests in tests/integration/test_cassettes.py run offline.
record: $(STAMP_GEN)
	PYTHONPATH=overlay:generated:tests $(PY) -m recording

# Re-record the read-only operations against a live venue, keys from the environment, into tests/cassettes/live/:
#   make record-live VENUE=kraken_spot|kraken_futures|bitflyer [OPS="get_server_time ..."]
# Writes (orders, cancels, transfers) are refused unless ALLOW_WRITES=1 and each one is named in OPS.
.PHONY: record-live
record-live: $(STAMP_GEN)
	@test -n "$(VENUE)" || { echo "usage: make record-live VENUE=kraken_spot|kraken_futures|bitflyer [OPS=...] [ALLOW_WRITES=1]"; exit 2; }
	PYTHONPATH=overlay:generated:tests $(PY) -m recording --live "$(VENUE)" --ops "$(OPS)" $(if $(filter 1,$(ALLOW_WRITES)),--allow-writes)
