"""The FHIR session is made on first use and counts outcomes; prefetch-only calls never make it."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from flask import Flask, g

from cds_service.fhir.session import CountingSession
from tests.conftest import load_fixture, post_hook
from tests.fhir.fake_fhir import FakeFhirServer


def test_nothing_is_opened_until_the_first_request(fhir: FakeFhirServer) -> None:
    fhir.json("/fhir/Patient/1", {"resourceType": "Patient", "id": "1"})
    with CountingSession() as session:
        assert not session.opened and session.outcomes == []
        assert session.get(f"{fhir.base}/Patient/1", timeout=5).status_code == 200
        assert session.opened
        with pytest.raises(requests.ConnectionError):
            session.get("http://127.0.0.1:9/nothing", timeout=5)
    assert session.outcomes == ["ok", "connection_error"]


def test_a_call_with_complete_prefetch_opens_no_session(app: Flask) -> None:
    seen: dict[str, Any] = {}

    @app.after_request
    def _peek(response: Any) -> Any:
        seen["session"] = g.hook_call.session
        return response

    body = load_fixture("tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json")
    body["fhirServer"] = "http://127.0.0.1:9/fhir"  # nothing listens: it must not be needed
    assert post_hook(app.test_client(), body).status_code == 200
    assert isinstance(seen["session"], CountingSession) and not seen["session"].opened
