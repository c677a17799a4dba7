# The map of the build. `make` sets everything up and generates; `make test` runs the tests.
#
#   specs   -> download the pinned upstream files (SPECS_MIRROR=<dir> reads a local mirror instead)
#   bundle  -> one document per package, named components (Redocly), futures sections merged
#   fixes   -> our committed fix documents (specs/fixes/*.overlay.yaml)
#   names   -> readable class names
#   validate-> openapi-spec-validator
#   codegen -> openapi-python-client (pinned) into generated/, coverage checked
#   surface -> specs/surface/*.txt, the committed API surface summary (refuses unacknowledged removals)
#   facades -> overlay/exchange_clients/_facades/, typed facades over every generated operation
#
# Upstream: `make check-upstream` (exit 3: upstream moved, report printed), `make repin COMMIT=<sha>`.
# Offline, UPSTREAM_GIT=<clone or bare repository of upstream> stands for GitHub in both.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
SPECS_MIRROR ?=
SPECS_URL_BASE ?=
# The steps run in scripts/: a relative path given on the command line must not be read from there.
override UPSTREAM_GIT := $(if $(UPSTREAM_GIT),$(abspath $(UPSTREAM_GIT)))
override SPECS_MIRROR := $(if $(SPECS_MIRROR),$(abspath $(SPECS_MIRROR)))
export SPECS_MIRROR SPECS_URL_BASE UPSTREAM_GIT

BUILD := specs/build
STAMP_VENV := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
STAMP_SPECS := $(BUILD)/.fetched
STAMP_GEN := generated/.generated
STAMP_EDITABLE := $(VENV)/.editable
GEN_INPUTS := $(STAMP_SPECS) $(STAMP_NODE) specs/pipeline.yaml $(wildcard specs/fixes/*.yaml) \
	specs/bitflyer/openapi.yaml $(wildcard specs/codegen/*.yml specs/codegen/templates/*.jinja specs/codegen/templates/*/*.jinja) \
	$(wildcard scripts/*.py) \
	$(wildcard overlay/exchange_clients/*/_paging.py overlay/exchange_clients/*/_auth.py) overlay/exchange_clients/_runtime.py

.PHONY: all install services specs bundle generate surface-check test test-fast lint dist clean repin check-upstream lock bench record

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
# Strict editable mode: a tree of links that type checkers (mypy, pyright) find like an installed package, where the
# default mode's import hook is invisible to them. New generated files need a reinstall, which regenerating triggers.
$(STAMP_EDITABLE): $(STAMP_GEN) pyproject.toml setup.py
	$(PY) -m pip install --quiet --no-deps -e . --config-settings editable_mode=strict
	touch $@

# Redocly CLI (the bundler) needs Node.js >= 20.19: say so, rather than "npm: No such file or directory".
$(STAMP_NODE): package.json package-lock.json
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null \
		&& command -v npm >/dev/null \
		|| { echo "error: Node.js >= 20.19 with npm is needed to bundle the specs (Redocly CLI); found: $$(node --version 2>/dev/null || echo no node)$$(command -v npm >/dev/null || echo ', no npm')" >&2; exit 1; }
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

test: $(STAMP_GEN) $(STAMP_EDITABLE) surface-check services
	$(PY) -m pytest

test-fast: $(STAMP_GEN) $(STAMP_EDITABLE) services
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

# Re-pin the upstream specs: make repin COMMIT=<sha> [UPSTREAM_GIT=<path> | SPECS_MIRROR=<dir>] [BRANCH=<name>];
# the tracked branch in specs/upstream.lock.json is kept unless BRANCH names another. Then `make generate`.
repin: | $(STAMP_VENV)
	test -n "$(COMMIT)" || { echo "usage: make repin COMMIT=<sha> [BRANCH=<upstream branch>]"; exit 2; }
	cd scripts && ../$(PY) repin_specs.py --commit $(COMMIT) $(if $(BRANCH),--branch "$(BRANCH)")

# Has the tracked upstream branch moved? Exit 0: no; exit 3: yes, and the review report is printed (the scratch
# regeneration changes nothing here). [UPSTREAM_GIT=<path>] [COMMIT=<sha>] [REPORT=<file.md>] [APPLY=1: also
# write the new lock and surface into the working tree].
check-upstream: | $(STAMP_VENV) $(STAMP_NODE)
	cd scripts && ../$(PY) check_upstream.py $(if $(COMMIT),--commit $(COMMIT)) \
		$(if $(REPORT),--report "$(abspath $(REPORT))") $(if $(filter 1,$(APPLY)),--apply)

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
