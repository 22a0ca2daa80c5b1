"""The in-process hook caller the rule tests use answers errors as the HTTP API does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import load_fixture
from tests.hookcall import HookCaller

FIXTURE = "crisaborole-age/crisaborole-age-2-months-in.json"


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


@pytest.mark.parametrize(
    ("path", "change"),
    [
        ("/cds-services/no-such-service", lambda b: b),
        ("/cds-services/eczema-order-sign", lambda b: _without(b, "hookInstance")),
        ("/cds-services/eczema-patient-view", lambda b: b),  # an order-sign request
        ("/cds-services/eczema-order-sign", lambda b: {**b, "prefetch": {"patient": 3}}),
    ],
)
def test_errors_have_the_status_and_outcome_of_the_api(
    client: Any, hooks: HookCaller, path: str, change: Any
) -> None:
    body = change(load_fixture(FIXTURE))
    over_http = client.post(path, json=body)
    in_process = hooks.post(path, json=body)
    assert over_http.status_code >= 400
    assert in_process.status_code == over_http.status_code
    assert in_process.get_json() == over_http.get_json()


def test_a_path_that_is_no_hook_is_refused(hooks: HookCaller) -> None:
    with pytest.raises(ValueError, match="not a hook path"):
        hooks.post("/cds-services", json={})
