"""The app with auth on: real signed tokens for discovery, service and feedback calls."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.auth.guard import AuthConfigError, is_loopback
from cds_service.auth.issuers import IssuerConfigError
from cds_service.settings import Settings
from tests.auth.tokens import ISS, JKU, KeyPair, claims, ec_key, sign
from tests.conftest import load_fixture, make_settings, pinned_clock

BASE = "https://cds.example.org"  # what the EHR calls; the test client talks to http://localhost
SANDBOX_ORIGIN = "https://sandbox.cds-hooks.org"
SERVICE = "eczema-order-sign"
FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
EXAMPLE_ISSUERS = Path(__file__).parents[2] / "config" / "trusted-issuers.example.toml"
FEEDBACK = {
    "feedback": [
        {
            "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
            "outcomeTimestamp": "2026-11-22T12:00:00Z",
        }
    ]
}


def issuer_file(tmp_path: Path, key: KeyPair) -> Path:
    path = tmp_path / "issuers.json"
    entry = {"iss": ISS, "jku": JKU, "jwks": {"keys": [key.jwk]}}
    path.write_text(json.dumps({"issuers": [entry]}))
    return path


def jwt_settings(tmp_path: Path, key: KeyPair, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "auth_mode": "jwt",
        "trusted_issuers": str(issuer_file(tmp_path, key)),
        "public_base_url": BASE + "/",
        "cors_origins": (SANDBOX_ORIGIN,),
    }
    return make_settings(tmp_path, **{**values, **overrides})


@pytest.fixture
def make_app(tmp_path: Path, ec384: KeyPair) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(jwt_settings(tmp_path, ec384, **overrides), clock=pinned_clock)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["cds_runtime"].store.engine.dispose()


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app().test_client()


def bearer(key: KeyPair, path: str, **claim_overrides: Any) -> dict[str, str]:
    now = int(time.time())
    payload = claims(**{"aud": BASE + path, "iat": now, "exp": now + 300, **claim_overrides})
    return {"Authorization": f"Bearer {sign(key, payload=payload)}"}


def assert_generic_401(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert [i["diagnostics"] for i in body["issue"]] == ["Authentication failed"]


def test_discovery_with_a_valid_token_is_200(client: FlaskClient, ec384: KeyPair) -> None:
    response = client.get("/cds-services", headers=bearer(ec384, "/cds-services"))
    assert response.status_code == 200
    assert response.get_json()["services"]


def test_service_call_with_a_valid_token_gets_cards(client: FlaskClient, ec384: KeyPair) -> None:
    path = f"/cds-services/{SERVICE}"
    response = client.post(path, json=load_fixture(FIXTURE), headers=bearer(ec384, path))
    assert response.status_code == 200
    assert response.get_json()["cards"]


def test_feedback_with_a_valid_token_is_stored(client: FlaskClient, ec384: KeyPair) -> None:
    path = f"/cds-services/{SERVICE}/feedback"
    response = client.post(path, json=FEEDBACK, headers=bearer(ec384, path))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/cds-services"),
        ("POST", f"/cds-services/{SERVICE}"),
        ("POST", f"/cds-services/{SERVICE}/feedback"),
        ("POST", "/cds-services/no-such-service"),  # auth before routing: no service probing
    ],
)
def test_every_cds_endpoint_without_a_token_is_a_generic_401(
    client: FlaskClient, method: str, path: str
) -> None:
    assert_generic_401(client.open(path, method=method, json={}))


def test_discovery_token_is_refused_for_a_service_call(client: FlaskClient, ec384: KeyPair) -> None:
    response = client.post(
        f"/cds-services/{SERVICE}",
        json=load_fixture(FIXTURE),
        headers=bearer(ec384, "/cds-services"),
    )
    assert_generic_401(response)


def test_aud_built_from_public_base_url_not_the_host_header(
    client: FlaskClient, ec384: KeyPair
) -> None:
    internal = "http://localhost/cds-services"  # what Flask sees behind the proxy
    now = int(time.time())
    token = sign(ec384, payload=claims(aud=internal, iat=now, exp=now + 300))
    response = client.get("/cds-services", headers={"Authorization": f"Bearer {token}"})
    assert_generic_401(response)


def test_expired_token_is_401(client: FlaskClient, ec384: KeyPair) -> None:
    now = int(time.time())
    headers = bearer(ec384, "/cds-services", iat=now - 600, exp=now - 300)
    assert_generic_401(client.get("/cds-services", headers=headers))


def test_replayed_token_is_401(client: FlaskClient, ec384: KeyPair) -> None:
    headers = bearer(ec384, "/cds-services")
    assert client.get("/cds-services", headers=headers).status_code == 200
    assert_generic_401(client.get("/cds-services", headers=headers))


def test_replay_is_caught_by_a_second_app_sharing_the_database(
    make_app: Callable[..., Flask], ec384: KeyPair
) -> None:
    first, second = make_app().test_client(), make_app().test_client()
    headers = bearer(ec384, "/cds-services")
    assert first.get("/cds-services", headers=headers).status_code == 200
    assert_generic_401(second.get("/cds-services", headers=headers))


def test_health_probes_need_no_token(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200


def test_preflight_needs_no_token_and_gets_cors_headers(client: FlaskClient) -> None:
    response = client.options(
        f"/cds-services/{SERVICE}",
        headers={"Origin": SANDBOX_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SANDBOX_ORIGIN
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_preflight_from_another_origin_gets_no_cors_headers(client: FlaskClient) -> None:
    response = client.options(
        "/cds-services",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_401_carries_cors_headers_so_the_browser_client_can_read_it(client: FlaskClient) -> None:
    response = client.get("/cds-services", headers={"Origin": SANDBOX_ORIGIN})
    assert_generic_401(response)
    assert response.headers["Access-Control-Allow-Origin"] == SANDBOX_ORIGIN


def test_rejection_is_logged_with_the_check_and_never_the_token(
    client: FlaskClient, ec384: KeyPair, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    jti = str(uuid.uuid4())
    headers = bearer(ec384, "/cds-services/other", jti=jti)
    assert_generic_401(client.get("/cds-services", headers=headers))
    assert "check=aud" in caplog.text and jti in caplog.text
    assert headers["Authorization"].split(".")[-1] not in caplog.text


def test_example_issuer_file_starts_and_warns_that_the_sandbox_is_test_only(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    make_app(trusted_issuers=str(EXAMPLE_ISSUERS))
    assert "https://sandbox.cds-hooks.org is TEST ONLY" in caplog.text


def test_jwt_mode_without_an_issuers_file_refuses_to_start(
    make_app: Callable[..., Flask],
) -> None:
    with pytest.raises(AuthConfigError, match="CDS_TRUSTED_ISSUERS"):
        make_app(trusted_issuers="")


def test_broken_issuers_file_refuses_to_start_naming_it(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[issuers]\n")
    with pytest.raises(IssuerConfigError, match="broken.toml"):
        make_app(trusted_issuers=str(broken))


def test_unknown_auth_mode_refuses_to_start(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(AuthConfigError, match="CDS_AUTH_MODE"):
        make_app(auth_mode="none")


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "cds.example.org"])
def test_auth_off_is_refused_on_a_non_loopback_address(
    make_app: Callable[..., Flask], host: str
) -> None:
    with pytest.raises(AuthConfigError, match="not a loopback"):
        make_app(auth_mode="off", bind_host=host)


def test_auth_off_on_loopback_warns_loudly_and_serves(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    client = make_app(auth_mode="off", bind_host="127.0.0.1").test_client()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("AUTHENTICATION IS OFF" in r.getMessage() for r in warnings)
    assert client.get("/cds-services").status_code == 200


def test_auth_off_still_refuses_a_non_loopback_peer(make_app: Callable[..., Flask]) -> None:
    client = make_app(auth_mode="off").test_client()
    response = client.get("/cds-services", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert_generic_401(response)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_one_ehrs_call_does_not_mute_another_ehrs_reminder_for_the_same_patient_id(
    tmp_path: Path, ec384: KeyPair
) -> None:
    """Patient ids are unique only within one EHR: the once-per-patient reminder is per issuer
    and tenant (red-team: another issuer's call silenced it for 90 days)."""
    other = ec_key("other-ehr")
    path = tmp_path / "two-issuers.json"
    entries = [
        {"iss": ISS, "jku": JKU, "jwks": {"keys": [ec384.jwk]}},
        {"iss": "https://other-ehr.example.org", "jku": JKU, "jwks": {"keys": [other.jwk]}},
    ]
    path.write_text(json.dumps({"issuers": entries}))
    settings = jwt_settings(tmp_path, ec384, trusted_issuers=str(path))
    app = create_app(settings, clock=pinned_clock)
    client = app.test_client()
    body = load_fixture("emollient-not-prescribed/emollient-cancelled-only-sign-in.json")
    target = f"/cds-services/{SERVICE}"

    def reminders(key: KeyPair, instance: str, **claim: Any) -> int:
        body["hookInstance"] = instance
        response = client.post(target, json=body, headers=bearer(key, target, **claim))
        assert response.status_code == 200
        rules = [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]
        return rules.count("emollient-not-prescribed")

    assert reminders(ec384, "call-1") == 1
    assert reminders(ec384, "call-2") == 0  # the same EHR: shown once per 90 days
    assert reminders(other, "call-3", iss="https://other-ehr.example.org") == 1
    assert reminders(ec384, "call-4", tenant="clinic-2") == 1  # another tenant of the same EHR
    app.extensions["cds_runtime"].store.engine.dispose()
