# newswire: `make run` starts the whole system without Docker; `make test` runs every check.
SHELL := /bin/bash
# uv from PATH, else bootstrapped into .tools/ with the machine's python3 (no root needed,
# and it works where the system Python refuses `pip install --user`).
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export NEWSWIRE_REDIS_URL ?= redis://127.0.0.1:$(or $(NEWSWIRE_REDIS_PORT),6379)/0

.PHONY: help install run up down logs test lint typecheck unit integration e2e faults bench fmt clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)  ## install every service and the dev tools into .venv (from uv.lock)
	$(UV) sync --locked --all-packages

run: install  ## start Redis (embedded if none runs), SQLite and the four services
	mkdir -p data
	$(UV) run honcho start -f Procfile

up:  ## start everything with Docker: Redis (AOF), PostgreSQL, the four services
	docker compose up --build

down:
	docker compose down

logs:  ## follow the structured logs of the Docker deployment
	docker compose logs -f

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: install
	$(UV) run mypy shared/newswire_shared services/fetcher/newswire_fetcher \
	  services/cleaner/newswire_cleaner services/extractor/newswire_extractor \
	  services/sink/newswire_sink services/cli/newswire_cli

test: lint typecheck  ## ruff, mypy, then the whole suite (unit, integration, e2e, faults)
	$(UV) run pytest -q -ra

unit: install
	$(UV) run pytest -q tests/unit

integration: install
	$(UV) run pytest -q tests/integration

e2e: install
	$(UV) run pytest -q tests/e2e

bench: install  ## benchmarks print figures; they assert nothing
	$(UV) run python bench/cleaner.py
	$(UV) run python bench/extractor.py

fmt: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

clean:
	rm -rf data .tools .pytest_cache .mypy_cache .ruff_cache
