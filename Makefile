# One target each for serve, test, lint, bench. Every target builds its own
# virtual environment first, so a fresh machine needs only python3. `serve` gets a
# runtime-only one (.venv-serve: the package's dependencies, no test or lint tools);
# everything else shares .venv with the dev extra.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SERVE_VENV ?= .venv-serve
SERVE_BIN := $(SERVE_VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: venv serve test lint fmt clean gallery browser test-postgres bench bench-smoke loadtest \
	cards-report purge report fixtures new-rule

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Editable, so a change to cds_service/ or cards/ is served without reinstalling.
$(SERVE_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(SERVE_VENV)
	$(SERVE_BIN)/pip install --quiet --upgrade pip
	$(SERVE_BIN)/pip install --quiet -e .
	touch $@

# Local development: auth off unless CDS_AUTH_MODE is set; the service refuses `off` when
# HOST is not a loopback address, so CDS_BIND_HOST must tell it the real listen address.
# The schema first (README "Database migrations"), then gunicorn.
serve: $(SERVE_VENV)/.installed
	$(SERVE_BIN)/python -m cds_service db upgrade
	CDS_BIND_HOST=$(HOST) CDS_AUTH_MODE=$${CDS_AUTH_MODE:-off} \
		$(SERVE_BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) 'cds_service:create_app()'

test: venv
	$(BIN)/pytest -q

# Timings (several minutes; see README "Performance"). Not part of `make test`.
bench: venv
	$(BIN)/python -m bench.run

# CI: checks the benchmark still runs (tiny charts, one round); never a timed assertion.
bench-smoke: venv
	$(BIN)/python -m bench.run --quick

# Gunicorn on 127.0.0.1 under concurrent hook calls and feedback posts, one worker SIGKILLed
# mid-run; fails on any HTTP error or acknowledged feedback missing from the database.
# LOADTEST_ARGS="--duration 60 --clients 16 --database-url postgresql+psycopg://..." to vary it.
loadtest: venv
	$(BIN)/python -m tests.load.loadtest $(LOADTEST_ARGS)

# Card distribution over the realistic charts and the Synthea patients: recall, cards per
# response, per-rule share (the noise budget `make test` enforces). --failing lists misses.
cards-report: venv
	$(BIN)/python -m tests.realistic.report $(REPORT_ARGS)

# Retention: issued-card, replay and repeat-guard rows past their use (README "Retention").
purge: venv
	$(BIN)/python -m cds_service purge

# The governance report a clinical committee reads (last 90 days, HTML).
report: venv
	$(BIN)/python -m cds_service feedback-report --days 90 --html build/governance.html

lint: venv
	$(BIN)/ruff check cds_service tests bench
	$(BIN)/ruff format --check cds_service tests bench
	$(BIN)/mypy

fmt: venv
	$(BIN)/ruff format cds_service tests bench
	$(BIN)/ruff check --fix cds_service tests bench

# fixtures/<rule-id>/*.json from the compact cases beside them (fixtures/*/cases.toml).
fixtures: venv
	$(BIN)/python -m cds_service fixtures

# A new rule, every file marked TODO: make new-rule RULE=tcs-new-check HOOK=order-sign
new-rule: venv
	$(BIN)/python -m cds_service new-rule $(RULE) --hook $(HOOK)

# Every "-in" fixture's cards on one static page (build/gallery.html) for clinical review.
gallery: venv
	$(BIN)/python -m cds_service gallery --out build/gallery.html

# Debian's chromium for the gallery's browser test (skipped without it, except in CI).
browser:
	.ci/ensure-chromium

# The storage and migration tests against a throwaway PostgreSQL server (Debian's postgresql, loopback).
test-postgres: venv
	export CDS_TEST_POSTGRES_URL="$$(.ci/postgres-up)"; \
		$(BIN)/pytest -q tests/ops/test_storage.py tests/ops/test_migrations.py \
		tests/auth/test_replay.py; rc=$$?; \
		.ci/postgres-down; exit $$rc

clean:
	rm -rf $(VENV) $(SERVE_VENV) .pytest_cache .mypy_cache .ruff_cache instance
