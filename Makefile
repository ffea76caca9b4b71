# Mesh Portal developer tasks. `make help` lists them; `make demo` and `make test` are the
# two a newcomer needs. Everything installs itself: a virtualenv in .venv, front-end
# packages from the npm registry in node_modules, and Debian's Chromium and Redis when
# they are missing and we are root (CI is).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PYTHON    := $(VENV)/bin/python
PIP       := $(PYTHON) -m pip --disable-pip-version-check
PYTEST    := $(VENV)/bin/pytest
RUFF      := $(VENV)/bin/ruff
CELERY    := $(VENV)/bin/celery
PY_STAMP  := $(VENV)/.installed
NPM_STAMP := node_modules/.package-lock.json
CHROMIUM  := /usr/bin/chromium

PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: one per core by default ("auto"), sharing out the
# tests by work stealing (their durations differ widely); 0 runs everything
# in this process (no xdist), e.g. to debug with pdb. Each worker has its own test
# database, moto server, redis-server, Chromium and OIDC provider (tests/conftest.py).
PYTEST_WORKERS ?= auto

# Development defaults for targets that load Django settings: DEBUG=true unless the
# caller set DEBUG (production settings refuse to start without a SECRET_KEY).
DEV_ENV := DEBUG=$${DEBUG:-true}

.PHONY: help install chromium redis test demo stop lint fmt migrate worker beat clean

help: ## List the targets
	@echo "Mesh Portal — make targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Quick start: 'make demo' (portal with seeded data on http://127.0.0.1:$${PORT:-8000}/), 'make test'."
	@echo "Pass pytest options with PYTEST_ARGS, e.g. make test PYTEST_ARGS='-k search -x'."
	@echo "make test runs on PYTEST_WORKERS parallel workers (default auto: one per core; 0: none)."

install: $(PY_STAMP) ## Create .venv and install Python and npm dependencies (only what changed)

# The virtualenv itself: created once, never recreated by a newer pyproject.toml.
$(PYTHON):
	python3 -m venv $(VENV)

# Reinstall only when pyproject.toml is newer than the stamp.
$(PY_STAMP): pyproject.toml | $(PYTHON)
	$(PIP) install -e '.[dev]'
	@touch $@

# npm: `npm ci` when package-lock.json is newer than the hidden lockfile npm writes into
# node_modules (touched afterwards so that the stamp is always newer).
ifneq ($(wildcard package-lock.json),)
install: $(NPM_STAMP)
$(NPM_STAMP): package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory _apt PKG="nodejs npm" WHAT=npm
	npm ci --no-audit --no-fund
	@touch $@
else ifneq ($(wildcard package.json),)
install: $(NPM_STAMP)
$(NPM_STAMP): package.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory _apt PKG="nodejs npm" WHAT=npm
	npm install --no-audit --no-fund
	@touch $@
endif

chromium: ## Install Debian's Chromium for the browser tests (if missing; needs root)
	@if [ ! -x $(CHROMIUM) ]; then $(MAKE) --no-print-directory _apt PKG=chromium WHAT=$(CHROMIUM); fi

redis: ## Install Debian's redis-server for the worker tests (if missing; needs root; not started)
	@if ! command -v redis-server >/dev/null; then $(MAKE) --no-print-directory _apt PKG=redis-server WHAT=redis-server; fi

# Internal: install Debian package(s) $(PKG) as root, or explain what to install and fail.
# RUNLEVEL=1 keeps the package's init script from starting a service (the tests start
# their own redis-server).
.PHONY: _apt
_apt:
	@if [ "$$(id -u)" = 0 ]; then \
		echo ">> $(WHAT) is missing: installing Debian package(s) $(PKG)"; \
		export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1; \
		apt-get update && apt-get install -y $(PKG); \
	else \
		echo "error: $(WHAT) is missing. Install it as root, e.g.:" >&2; \
		echo "    sudo apt-get update && sudo apt-get install -y $(PKG)" >&2; \
		echo "then run make again." >&2; \
		exit 1; \
	fi

test: install chromium redis ## Run the test suite (embedded Postgres and a private Redis unless DATABASE_URL/REDIS_URL are set)
	DEBUG=true DJANGO_ALLOW_ASYNC_UNSAFE=true $(PYTEST) -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

demo: install ## Migrate, seed the scenario, serve it on 127.0.0.1:$PORT (default 8000) with a worker and beat
	@command -v redis-server >/dev/null || [ "$$(id -u)" != 0 ] || $(MAKE) --no-print-directory redis
	DEBUG=true $(PYTHON) manage.py demo

stop: ## Stop the embedded PostgreSQL in .data/postgres (the demo stops it on Ctrl-C when it started it)
	@if [ -x $(PYTHON) ]; then \
		$(PYTHON) -c 'import sys; from pathlib import Path; from meshportal.embedded_db import stop_embedded_server as stop; print("embedded PostgreSQL stopped" if stop(Path(".data/postgres")) else "embedded PostgreSQL is not running")'; \
	fi

lint: install ## ruff check + ruff format --check
	$(RUFF) check .
	$(RUFF) format --check .

fmt: install ## Format and autofix with ruff
	$(RUFF) format .
	$(RUFF) check --fix .

migrate: install ## Apply database migrations (embedded Postgres unless DATABASE_URL is set)
	$(DEV_ENV) $(PYTHON) manage.py migrate

# A worker or beat needs a broker; without one, tasks run eagerly in the web process.
define need_broker
	@if [ -z "$${REDIS_URL:-}$${CELERY_BROKER_URL:-}" ]; then \
		echo "error: set REDIS_URL (or CELERY_BROKER_URL), e.g. REDIS_URL=redis://127.0.0.1:6379/0 make $@" >&2; \
		echo "(without a broker no worker is needed: tasks run eagerly in the web process)" >&2; \
		exit 1; \
	fi
endef

worker: install ## Run a Celery worker (needs REDIS_URL)
	$(need_broker)
	$(DEV_ENV) $(CELERY) -A meshportal worker -l info

beat: install ## Run Celery beat, the periodic scheduler (needs REDIS_URL)
	$(need_broker)
	$(DEV_ENV) $(CELERY) -A meshportal beat -l info

clean: ## Remove .venv, node_modules, .data (stops the embedded Postgres first) and staticfiles
	@pg_ctl=$$(ls $(VENV)/lib/python*/site-packages/pgserver/pginstall/bin/pg_ctl 2>/dev/null | head -n1); \
	if [ -n "$$pg_ctl" ] && [ -f .data/postgres/postmaster.pid ]; then \
		echo ">> stopping the embedded Postgres in .data/postgres"; \
		if [ "$$(id -u)" = 0 ] && [ "$$(stat -c %U .data/postgres)" != root ]; then \
			su -s /bin/sh "$$(stat -c %U .data/postgres)" -c "$$pg_ctl -D .data/postgres -m fast -w stop" || true; \
		else \
			"$$pg_ctl" -D .data/postgres -m fast -w stop || true; \
		fi; \
	fi
	rm -rf $(VENV) node_modules .data staticfiles
