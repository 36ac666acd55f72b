# The portal's commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	touch $(STAMP)

install: $(STAMP) ## Install everything into .venv/ (from the lock file)

run: install ## Migrate, load the demo network and serve on http://$(HOST):$(PORT)/
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)")
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install ## Run the whole test suite (PostgreSQL and Redis too when DATABASE_URL/REDIS_URL are set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install ## Lint and check formatting (ruff, djhtml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check $$(find . -path ./$(VENV) -prune -o -name '*.html' -path '*/templates/*' -print)

format: install ## Fix formatting (ruff, djhtml)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml $$(find . -path ./$(VENV) -prune -o -name '*.html' -path '*/templates/*' -print)

bench: install ## Run the benchmarks, one line per figure
	$(BIN)/python manage.py bench

lock: ## Re-resolve the lock files from pyproject.toml (needs network)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/dev.lock

# Development commands like `make run`: the development settings unless DJANGO_SETTINGS_MODULE is
# set (the Celery app itself defaults to production, as a deployment's `celery -A portal` should).
DEV_SETTINGS := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-portal.settings.dev}

worker: install ## Start a Celery worker on every queue, development settings (needs CELERY_BROKER_URL or REDIS_URL)
	$(DEV_SETTINGS) $(BIN)/celery -A portal worker -Q default,indexing,extraction,notifications -l info

beat: install ## Start Celery beat, development settings (needs CELERY_BROKER_URL or REDIS_URL)
	$(DEV_SETTINGS) $(BIN)/celery -A portal beat -l info

.PHONY: help install run test lint format bench lock worker beat
