"""`cds-service doctor` names the misconfigurations a client only sees as "no recommendations";
`cds-service dev-token` gives a local test EHR whose tokens the service accepts."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.ops import devtoken, doctor
from cds_service.ops.cli import main
from cds_service.settings import Settings
from tests.conftest import FIXTURES, load_fixture, make_settings, pinned_clock

BASE = "http://127.0.0.1:8080"
SANDBOX_PAGE = "http://localhost:3000"
FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"


class Answer:
    """A Flask test response with the bits of requests.Response the doctor reads."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self._json = response.get_json(silent=True)

    def json(self) -> Any:
        if self._json is None:
            raise ValueError("not JSON")
        return self._json


def via(client: FlaskClient, method: str) -> Any:
    """A requests-style callable that sends to the app in-process, whatever the host."""

    def send(url: str, headers: dict[str, str] | None = None, **_: Any) -> Answer:
        path = "/" + url.split("/", 3)[3]
        return Answer(client.open(path, method=method, headers=headers or {}))

    return send


@pytest.fixture
def dev_ehr(tmp_path: Path) -> Path:
    devtoken.init(tmp_path / "dev-ehr")
    return tmp_path / "dev-ehr"


@pytest.fixture
def jwt_settings(tmp_path: Path, dev_ehr: Path) -> Settings:
    return make_settings(
        tmp_path,
        auth_mode="jwt",
        trusted_issuers=str(dev_ehr / devtoken.ISSUERS_FILE),
        public_base_url=BASE,
        cors_origins=(SANDBOX_PAGE,),
    )


@pytest.fixture
def jwt_app(jwt_settings: Settings) -> Iterator[Flask]:
    application = create_app(jwt_settings, clock=pinned_clock)
    yield application
    application.extensions["cds_runtime"].store.dispose()


def test_dev_token_is_accepted_by_the_service_in_jwt_mode(jwt_app: Flask, dev_ehr: Path) -> None:
    url = f"{BASE}/cds-services/eczema-order-sign"
    token = devtoken.mint(dev_ehr / devtoken.KEY_FILE, url)
    client = jwt_app.test_client()
    body = load_fixture(FIXTURE)
    denied = client.post("/cds-services/eczema-order-sign", json=body)
    allowed = client.post(
        "/cds-services/eczema-order-sign",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert denied.status_code == 401
    assert allowed.status_code == 200, allowed.get_json()
    rules = [c["source"]["topic"]["code"] for c in allowed.get_json()["cards"]]
    assert "tcs-potent-on-sensitive-site" in rules


def test_dev_token_init_refuses_to_overwrite_a_key(dev_ehr: Path) -> None:
    with pytest.raises(ValueError, match="exists"):
        devtoken.init(dev_ehr)


def test_doctor_passes_a_correct_setup(
    jwt_app: Flask, jwt_settings: Settings, dev_ehr: Path
) -> None:
    client = jwt_app.test_client()
    token = devtoken.mint(dev_ehr / devtoken.KEY_FILE, f"{BASE}/cds-services")
    checks = [
        doctor.check_discovery(BASE, token, get=via(client, "GET")),
        doctor.check_cors(BASE, SANDBOX_PAGE, options=via(client, "OPTIONS")),
        doctor.check_audience(BASE, jwt_settings),
    ]
    assert [c.ok for c in checks] == [True, True, True], [c.line() for c in checks]
    assert "3 services" in checks[0].detail


def test_doctor_names_localhost_versus_127_as_an_aud_failure(jwt_settings: Settings) -> None:
    check = doctor.check_audience("http://localhost:8080", jwt_settings)
    assert not check.ok
    assert "CDS_PUBLIC_BASE_URL=http://localhost:8080" in check.detail


def test_doctor_reads_the_aud_of_a_token_the_client_sent(
    jwt_settings: Settings, dev_ehr: Path
) -> None:
    token = devtoken.mint(dev_ehr / devtoken.KEY_FILE, "http://localhost:8080/cds-services/x")
    assert not doctor.check_audience(BASE, jwt_settings, token).ok
    good = devtoken.mint(dev_ehr / devtoken.KEY_FILE, f"{BASE}/cds-services/x")
    assert doctor.check_audience(BASE, jwt_settings, good).ok


def test_doctor_names_a_refused_page_origin_and_the_log_does_too(
    jwt_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cds_service.cors")
    check = doctor.check_cors(
        BASE, "http://localhost:3001", options=via(jwt_app.test_client(), "OPTIONS")
    )
    assert not check.ok
    assert "CDS_CORS_ORIGINS" in check.detail
    assert any("http://localhost:3001" in r.getMessage() for r in caplog.records)


def test_doctor_says_when_the_server_is_not_reachable() -> None:
    def refuse(url: str, **_: Any) -> Any:
        raise requests.ConnectionError("refused")

    check = doctor.check_discovery(BASE, get=refuse)
    assert not check.ok
    assert "cannot reach" in check.detail


def test_auth_off_needs_no_audience(tmp_path: Path) -> None:
    assert doctor.check_audience("http://localhost:8080", make_settings(tmp_path)).ok


def test_doctor_command_exits_non_zero_when_a_check_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDS_AUTH_MODE", "off")
    # Nothing listens on port 9 of the loopback: discovery fails fast and is named.
    assert main(["doctor", "--url", "http://127.0.0.1:9"]) == 1
    out = capsys.readouterr().out
    assert "FAIL discovery" in out
    assert "ok   aud" in out


def test_doctor_describes_a_token_for_the_issuers_file(dev_ehr: Path) -> None:
    token = devtoken.mint(dev_ehr / devtoken.KEY_FILE, f"{BASE}/cds-services/x")
    check = doctor.describe_token(token)
    assert check.ok
    assert f"iss='{devtoken.DEV_ISSUER}'" in check.detail
    assert "alg='ES384'" in check.detail and "lifetime=300 s" in check.detail
    assert not doctor.describe_token("not.a.jwt").ok
