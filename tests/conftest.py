"""Shared fixtures: an app with pinned time, a temporary database and auth off."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings

from cds_service import create_app
from cds_service.runtime import Runtime
from cds_service.settings import Settings
from tests.fhir.fake_fhir import FakeFhirServer
from tests.hookcall import HookCaller

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# Vendored reference data (Synthea, spec examples, requirements): see its README.md.
REFERENCE = ROOT / "tests" / "data" / "reference"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# CI runs the property tests with a fixed seed so a submission cannot fail by chance;
# developers keep random exploration (and the example database) locally.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

SERVICE_FOR_HOOK = {
    "order-select": "eczema-order-select",
    "order-sign": "eczema-order-sign",
    "patient-view": "eczema-patient-view",
}


def pinned_clock() -> datetime:
    """Fixtures keep absolute dates; tests pin `now` to the day they were written for."""
    return NOW


def make_settings(tmp_path: Path | None, **overrides: Any) -> Settings:
    """Test settings: own SQLite file (in memory without `tmp_path`), auth off, loopback."""
    base = Settings(
        database_url=f"sqlite:///{tmp_path / 'test.sqlite3'}" if tmp_path else "sqlite://",
        auth_mode="off",
        fhir_server_allow=("127.0.0.1",),  # the loopback fake FHIR servers of tests/fhir
        fhir_open_servers=("127.0.0.1",),  # ... which need no fhirAuthorization token
    )
    return base.with_overrides(**overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings, clock=pinned_clock)
    yield application
    application.extensions["cds_runtime"].store.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def started() -> Iterator[Runtime]:
    """The service's start-up (cards, terminology, rules) once per session, time pinned."""
    runtime = Runtime.start(make_settings(None), clock=pinned_clock)
    yield runtime
    runtime.store.dispose()


@pytest.fixture
def hooks(started: Runtime) -> Iterator[HookCaller]:
    """Hook calls answered in process (no Flask): what the rule tests post to."""
    caller = HookCaller(started)
    yield caller
    caller.close()


def load_fixture(path: Path | str) -> dict[str, Any]:
    """A fixture request by path (absolute or relative to fixtures/)."""
    p = Path(path)
    if not p.is_absolute():
        p = FIXTURES / p
    data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return data


def post_hook(
    client: FlaskClient | HookCaller, body: dict[str, Any], service: str | None = None
) -> Any:
    """POST a hook request to the service for its hook; returns the test response."""
    service = service or SERVICE_FOR_HOOK[body["hook"]]
    return client.post(f"/cds-services/{service}", json=body)


def cards_for(response: Any, rule_id: str) -> list[dict[str, Any]]:
    """The cards in a response whose topic code is the rule id."""
    return [c for c in response.get_json()["cards"] if c["source"]["topic"]["code"] == rule_id]


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    """A real FHIR server on loopback whose answers the test programs."""
    server = FakeFhirServer()
    yield server
    server.close()


@pytest.fixture
def other_host() -> Iterator[FakeFhirServer]:
    """A second server (another origin) that must never be contacted."""
    server = FakeFhirServer()
    yield server
    server.close()


def no_uuids(value: Any) -> Any:
    """An answer without the fresh uuids each call mints (to compare two answers)."""
    if isinstance(value, dict):
        return {k: no_uuids(v) for k, v in value.items() if k != "uuid"}
    if isinstance(value, list):
        return [no_uuids(v) for v in value]
    return value
