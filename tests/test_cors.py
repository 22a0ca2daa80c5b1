"""CORS: preflight without a token, exact-origin allow-list, never credentials."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service.cors import init_cors, normalize_origin

SANDBOX = "https://sandbox.cds-hooks.org"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


@pytest.fixture
def client() -> FlaskClient:
    app = Flask(__name__)

    @app.get("/cds-services")
    def discovery() -> dict[str, list[str]]:
        return {"services": []}

    @app.post("/cds-services/<service_id>")
    def service(service_id: str) -> dict[str, list[str]]:
        return {"cards": []}

    @app.get("/healthz")
    def health() -> str:
        return "ok"

    @app.get("/cds-services/varied")
    def varied() -> tuple[str, dict[str, str]]:
        return "ok", {"Vary": "Accept-Encoding"}

    init_cors(app, [SANDBOX + "/", "http://localhost:8080"])
    return app.test_client()


@pytest.mark.parametrize(
    "path", ["/cds-services", "/cds-services/svc", "/cds-services/svc/feedback"]
)
def test_preflight_from_allowed_origin_gets_cors_headers(client: FlaskClient, path: str) -> None:
    response = client.options(path, headers={"Origin": SANDBOX, **PREFLIGHT})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SANDBOX
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Content-Type" not in response.headers  # a 204 has no content to type
    assert response.get_data() == b""


def test_preflight_from_another_origin_gets_no_cors_headers(client: FlaskClient) -> None:
    response = client.options(
        "/cds-services/svc", headers={"Origin": "https://evil.example", **PREFLIGHT}
    )
    assert not [h for h in response.headers.keys() if h.startswith("Access-Control-")]
    assert "Origin" in response.headers["Vary"]


def test_origin_match_is_exact(client: FlaskClient) -> None:
    for origin in (SANDBOX + ".evil.example", "http://sandbox.cds-hooks.org", "null"):
        response = client.get("/cds-services", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response.headers


def test_simple_request_from_allowed_origin_gets_allow_origin(client: FlaskClient) -> None:
    response = client.get("/cds-services", headers={"Origin": "http://localhost:8080"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
    assert "Access-Control-Allow-Methods" not in response.headers


def test_paths_outside_cds_services_are_left_alone(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"Origin": SANDBOX})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "origin", ["*", "https://sandbox.cds-hooks.org/path", "sandbox.cds-hooks.org", ""]
)
def test_wildcard_or_malformed_origin_setting_is_refused(origin: str) -> None:
    with pytest.raises(ValueError):
        normalize_origin(origin)


def test_origin_setting_is_normalized() -> None:
    assert normalize_origin(" HTTPS://Sandbox.CDS-Hooks.org/ ") == SANDBOX


def test_vary_names_origin_once_beside_what_the_route_set(client: FlaskClient) -> None:
    assert client.get("/cds-services").headers.getlist("Vary") == ["Origin"]
    varied = client.get("/cds-services/varied", headers={"Origin": SANDBOX})
    assert varied.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    assert varied.headers["Access-Control-Allow-Origin"] == SANDBOX
