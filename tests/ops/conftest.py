"""Storage backends for the ops tests: SQLite always, PostgreSQL when CDS_TEST_POSTGRES_URL is set.

Each PostgreSQL test gets its own schema (dropped afterwards), so tests never see each other's
rows. `.ci/run` starts a real server and sets the variable; `make test` without it skips.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text

from cds_service import create_app, migrate
from cds_service.settings import Settings
from cds_service.storage import FeedbackStore, make_engine
from tests.conftest import pinned_clock

POSTGRES_URL = os.environ.get("CDS_TEST_POSTGRES_URL", "")
CHROMIUM = os.environ.get("CDS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
NO_POSTGRES = "set CDS_TEST_POSTGRES_URL to run against PostgreSQL (.ci/postgres-up starts one)"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'ops.sqlite3'}")
        yield eng
        eng.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(
        POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_pre_ping=True
    )
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(engine: Engine) -> Iterator[FeedbackStore]:
    """A FeedbackStore with its schema on the backend."""
    s = FeedbackStore(engine)
    migrate.upgrade(engine)
    yield s
    if s.log_engine is not engine:
        s.log_engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's); skips without it, except in CI where it must be there."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("chromium not installed (make browser installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


@pytest.fixture
def exporter() -> Iterator[Any]:
    """An InMemorySpanExporter for apps made by ``traced_app``; tracing is off afterwards."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from cds_service.ops import tracing

    mem = InMemorySpanExporter()
    yield mem
    tracing.configure("off")  # the provider is per process: leave the next test untraced


@pytest.fixture
def traced_app(exporter: Any) -> Iterator[Callable[[Settings], Flask]]:
    """Builds apps whose spans (with CDS_TRACING on) go to ``exporter``."""
    apps: list[Flask] = []

    def build(settings: Settings) -> Flask:
        app = create_app(
            settings.with_overrides(extra={"span_exporter": exporter}), clock=pinned_clock
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["cds_runtime"].store.dispose()
