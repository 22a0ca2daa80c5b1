"""Auth off (`make serve`): a web page the developer visits must not be able to use the service.

A cross-site `text/plain` (or type-less) POST needs no CORS preflight, and DNS rebinding lets a
page's own host name reach loopback; so POSTs must be JSON and the Host must be allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from cds_service import create_app
from tests.conftest import make_settings, pinned_clock

FEEDBACK = (
    '{"feedback": [{"card": "9368d37b-283f-44a0-93ea-547cebab93ed", "outcome": "overridden",'
    ' "outcomeTimestamp": "2026-11-22T12:00:00Z"}]}'
)
URL = "/cds-services/eczema-order-sign/feedback"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return create_app(make_settings(tmp_path), clock=pinned_clock)


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/x-www-form-urlencoded"])
def test_post_that_is_not_json_is_415_and_stores_nothing(app: Flask, content_type: str | None):
    headers = {"Content-Type": content_type} if content_type else {}
    response = app.test_client().post(URL, data=FEEDBACK, headers=headers)
    assert response.status_code == 415
    assert response.get_json()["resourceType"] == "OperationOutcome"
    assert app.extensions["cds_runtime"].store.count() == 0


def test_json_post_is_stored(app: Flask) -> None:
    response = app.test_client().post(
        URL, data=FEEDBACK, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.get_json() == {"stored": 1}


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:8080", 200),
        ("127.0.0.1:8080", 200),
        ("[::1]:8080", 200),
        ("LOCALHOST", 200),
        ("attacker.example", 400),
        ("attacker.example:8080", 400),
        ("127.0.0.1.nip.io", 400),
    ],
)
def test_host_must_be_allowed(app: Flask, host: str, status: int) -> None:
    response = app.test_client().get("/cds-services", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        assert "attacker" not in response.get_data(as_text=True)  # nothing echoed


def test_allowed_hosts_setting(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, allowed_hosts=("cds.test",)), clock=pinned_clock)
    assert app.test_client().get("/cds-services", headers={"Host": "cds.test"}).status_code == 200
    assert app.test_client().get("/cds-services", headers={"Host": "localhost"}).status_code == 400
