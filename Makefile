# One target each for serve, test, lint, bench. Every target builds its own
# virtual environment first, so a fresh machine needs only python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: venv serve test lint fmt clean bench bench-smoke

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Local development: auth off unless CDS_AUTH_MODE is set; the service refuses `off` when
# HOST is not a loopback address, so CDS_BIND_HOST must tell it the real listen address.
serve: venv
	CDS_BIND_HOST=$(HOST) CDS_AUTH_MODE=$${CDS_AUTH_MODE:-off} \
		$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'cds_service:create_app()'

test: venv
	$(BIN)/pytest -q

# Timings (several minutes; see README "Performance"). Not part of `make test`.
bench: venv
	$(BIN)/python -m bench.run

# CI: checks the benchmark still runs (tiny charts, one round); never a timed assertion.
bench-smoke: venv
	$(BIN)/python -m bench.run --quick

lint: venv
	$(BIN)/ruff check cds_service tests bench
	$(BIN)/ruff format --check cds_service tests bench
	$(BIN)/mypy

fmt: venv
	$(BIN)/ruff format cds_service tests bench
	$(BIN)/ruff check --fix cds_service tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache instance
