# Espace Prêts — the README's commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test test-long lint bench install worker clean help-screenshots

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate SQLite, load the demo, start the web server and the task worker.
run: $(STAMP)
	bin/check-run-deps
	DEBUG=$${DEBUG:-1} PORT=$(PORT) bin/run

## make test: the whole suite (unit, integration, browser). DATABASE_URL=postgres://… runs it on PostgreSQL.
test: $(STAMP)
	bin/check-run-deps
	bin/check-test-deps
	bin/start-clamd
	bin/start-redis
	CLAMD_HOST=127.0.0.1 CLAMD_PORT=$${CLAMD_PORT:-3310} REDIS_TEST_URL=redis://127.0.0.1:$${REDIS_PORT:-6379}/15 \
		$(PY) -m pytest $(PYTEST_ARGS)

## make test-long: the finance engine's property tests with 10,000 examples each (CI runs it after make test).
test-long: $(STAMP)
	HYPOTHESIS_PROFILE=long $(PY) -m pytest tests/finance -m long -q

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py makemigrations --check --dry-run
	ESPACE_RUN_ENV=/nonexistent DEBUG=0 SECRET_KEY=lint-$$(head -c 96 /dev/urandom | base64 -w0 | tr -dc a-zA-Z0-9) \
		EMAIL_HOST=localhost CLAMD_HOST=localhost ALLOWED_HOSTS=prets.example.org \
		$(PY) manage.py check --deploy --fail-level WARNING

## make help-screenshots: retake the help pages' screenshots (static/help/) from the browser tests, on purpose.
help-screenshots: $(STAMP)
	bin/check-test-deps
	bin/start-clamd
	CLAMD_HOST=127.0.0.1 $(PY) -m pytest tests/e2e/test_registration_flows.py tests/e2e/test_second_factor.py tests/e2e/test_passkeys.py -q
	cp test-artifacts/help/*.png static/help/
	@echo "Captures copiées dans static/help/ : relisez-les, puis commitez-les."

## make bench: every bench script, then one table of figures against their targets (exit 1 if one is missed).
bench: $(STAMP)
	bin/start-clamd
	CLAMD_HOST=127.0.0.1 CLAMD_PORT=$${CLAMD_PORT:-3310} DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/espace_bench} $(PY) bench/all.py

clean:
	rm -rf var/ .pytest_cache test-artifacts
