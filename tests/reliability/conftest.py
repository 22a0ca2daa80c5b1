"""Shared fixtures for the reliability suites: one app per module and an answer checker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app, schemas
from tests.conftest import make_settings, pinned_clock

ERROR_STATUSES = {400, 404, 405, 412, 413, 415}


@pytest.fixture(scope="module")
def module_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for a whole module (hypothesis tests must not use function-scoped fixtures)."""
    app = create_app(make_settings(tmp_path_factory.mktemp("rel")), clock=pinned_clock)
    yield app
    app.extensions["cds_runtime"].store.dispose()


@pytest.fixture(scope="module")
def module_client(module_app: Flask) -> FlaskClient:
    return module_app.test_client()


def assert_well_formed(response: Any, *, hook: bool = True) -> None:
    """A JSON 4xx OperationOutcome, or a 200 whose body is valid (cards, or feedback count)."""
    body = response.get_json(silent=True)
    assert response.mimetype == "application/json", response.status_code
    assert isinstance(body, dict), response.data[:200]
    if response.status_code == 200:
        if hook:
            assert schemas.validation_errors("cds-response", body) == []
        else:
            assert isinstance(body.get("stored"), int)
        return
    assert response.status_code in ERROR_STATUSES, (response.status_code, body)
    assert body["resourceType"] == "OperationOutcome"
