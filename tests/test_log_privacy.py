"""No patient data or secrets in logs: plant values in a request and scan every log record."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from cds_service import create_app
from tests.auth.tokens import ISS, JKU, claims, ec_key, sign
from tests.conftest import load_fixture, make_settings, pinned_clock

BASE = "https://cds.example.org"
SERVICE = "eczema-order-sign"
FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
PLANTED_NAME = ("Zebulon", "Quigglesworth-Planted")
PLANTED_BIRTH_DATE = "1996-05-14"  # the fixture's own date; it must never reach the log
PLANTED_ACCESS_TOKEN = "planted-access-token-5c1e0d7a9b"
PLANTED_NOTE = "planted free text 8d2f: lives at 12 Secret Lane"


def planted_request() -> dict[str, Any]:
    body = load_fixture(FIXTURE)
    patient = body["prefetch"]["patient"]
    assert patient["birthDate"] == PLANTED_BIRTH_DATE
    patient["name"] = [{"given": [PLANTED_NAME[0]], "family": PLANTED_NAME[1]}]
    patient["address"] = [{"text": PLANTED_NOTE}]
    body["fhirServer"] = "https://fhir.example.org/r4"
    body["fhirAuthorization"] = {
        "access_token": PLANTED_ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read",
        "subject": "cds-service",
    }
    return body


def record_text(record: logging.LogRecord) -> str:
    """Everything a formatter could print: message, args, extras and exception text."""
    parts = [logging.Formatter().format(record)]
    parts.extend(f"{key}={value!r}" for key, value in vars(record).items())
    return "\n".join(parts)


def test_logs_hold_no_patient_data_tokens_or_secrets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = ec_key("privacy-key")
    issuers = tmp_path / "issuers.json"
    entry = {"iss": ISS, "jku": JKU, "jwks": {"keys": [key.jwk]}}
    issuers.write_text(json.dumps({"issuers": [entry]}))
    settings = make_settings(
        tmp_path,
        auth_mode="jwt",
        trusted_issuers=str(issuers),
        public_base_url=BASE,
        log_level="DEBUG",
    )
    caplog.set_level(logging.DEBUG)  # root: every logger
    for name in ("cds_service", "werkzeug", "flask.app", "sqlalchemy", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)

    app = create_app(settings, clock=pinned_clock)
    client = app.test_client()
    path = f"/cds-services/{SERVICE}"
    tokens: list[str] = []

    def auth(aud_path: str) -> dict[str, str]:
        now = int(time.time())
        tokens.append(sign(key, payload=claims(aud=BASE + aud_path, iat=now, exp=now + 300)))
        return {"Authorization": f"Bearer {tokens[-1]}"}

    body = planted_request()
    ok = client.post(path, json=body, headers=auth(path))
    assert ok.status_code == 200 and ok.get_json()["cards"]
    replay = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[-1]}"})
    assert replay.status_code == 401
    wrong_hook = {**body, "hook": "patient-view"}
    assert client.post(path, json=wrong_hook, headers=auth(path)).status_code == 400
    broken = {**body, "context": {"patientId": PLANTED_NOTE}}
    assert client.post(path, json=broken, headers=auth(path)).status_code == 400
    feedback = {"feedback": [{"card": PLANTED_NOTE, "outcome": "overridden"}]}
    client.post(f"{path}/feedback", json=feedback, headers=auth(f"{path}/feedback"))
    app.extensions["cds_runtime"].store.dispose()

    assert caplog.records, "the scan is only meaningful if something was logged"
    assert any("hook answered" in r.getMessage() for r in caplog.records)
    logged = "\n".join(record_text(r) for r in caplog.records)
    planted = [*PLANTED_NAME, PLANTED_BIRTH_DATE, PLANTED_ACCESS_TOKEN, PLANTED_NOTE, "Secret Lane"]
    for token in tokens:
        planted.extend([token, token.split(".")[2]])  # whole JWT and its signature
    leaked = [value for value in planted if value in logged]
    assert leaked == []
