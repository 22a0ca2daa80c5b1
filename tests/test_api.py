"""Endpoints: discovery, errors as JSON OperationOutcomes, feedback durability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cds_service import create_app, schemas
from tests.conftest import load_fixture, make_settings, pinned_clock, post_hook
from tests.schemas.helpers import load_example

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"


def _is_outcome(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["severity"] == "error"
    return body


def test_discovery_lists_three_services_with_valid_prefetch(client: Any) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    body = response.get_json()
    assert schemas.validation_errors("discovery", body) == []
    by_id = {s["id"]: s for s in body["services"]}
    assert {k: v["hook"] for k, v in by_id.items()} == {
        "eczema-order-select": "order-select",
        "eczema-order-sign": "order-sign",
        "eczema-patient-view": "patient-view",
    }
    for service in by_id.values():
        assert service["title"] and service["description"]
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert service["prefetch"]["conditions"] == "Condition?patient={{context.patientId}}"
        assert (
            service["prefetch"]["medications"] == "MedicationRequest?patient={{context.patientId}}"
        )


def test_unknown_service_is_404(client: Any) -> None:
    _is_outcome(client.post("/cds-services/no-such-service", json={}), 404)


def test_hook_that_does_not_match_the_service_is_400(client: Any) -> None:
    body = load_fixture(FIXTURE)
    _is_outcome(post_hook(client, body, service="eczema-patient-view"), 400)


def test_malformed_json_is_400(client: Any) -> None:
    response = client.post(
        "/cds-services/eczema-order-sign", data="{not json", content_type="application/json"
    )
    _is_outcome(response, 400)


def test_json_that_is_not_an_object_is_400(client: Any) -> None:
    _is_outcome(client.post("/cds-services/eczema-order-sign", json=[1, 2]), 400)


def test_missing_context_is_400_naming_the_field(client: Any) -> None:
    body = load_fixture(FIXTURE)
    del body["context"]
    outcome = _is_outcome(post_hook(client, body, service="eczema-order-sign"), 400)
    assert any("context" in i["diagnostics"] for i in outcome["issue"][1:])


def test_order_select_without_selections_is_400(client: Any) -> None:
    body = load_fixture(FIXTURE)
    body["hook"] = "order-select"
    _is_outcome(post_hook(client, body), 400)


def test_fhir_authorization_without_fhir_server_is_400(client: Any) -> None:
    body = load_fixture(FIXTURE)
    body["fhirAuthorization"] = {
        "access_token": "x",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read",
        "subject": "cds-service",
    }
    _is_outcome(post_hook(client, body), 400)


def test_wrong_method_is_json_405(client: Any) -> None:
    _is_outcome(client.get("/cds-services/eczema-order-sign"), 405)


def test_oversized_body_is_413(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, max_body_bytes=1000), clock=pinned_clock)
    response = app.test_client().post(
        "/cds-services/eczema-order-sign", data="x" * 5000, content_type="application/json"
    )
    _is_outcome(response, 413)


def _feedback() -> dict[str, Any]:
    return {
        "feedback": [
            {
                "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
                "outcomeTimestamp": "2026-11-22T12:00:00Z",
            },
            {
                "card": "1111d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {
                        "system": "https://cds.eczema.example.org/fhir/CodeSystem/override-reason",
                        "code": "specialist-directed",
                        "display": "Short course directed by a dermatologist",
                    },
                    "userComment": "derm advised",
                },
                "outcomeTimestamp": "2026-11-22T12:01:00Z",
            },
        ]
    }


def test_feedback_is_stored_and_survives_a_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    first = create_app(settings, clock=pinned_clock)
    response = first.test_client().post(
        "/cds-services/eczema-order-sign/feedback", json=_feedback()
    )
    assert response.status_code == 200
    first.extensions["cds_runtime"].store.dispose()

    second = create_app(settings, clock=pinned_clock)
    entries = second.extensions["cds_runtime"].store.entries()
    assert [(e["card_uuid"], e["outcome"]) for e in entries] == [
        ("9368d37b-283f-44a0-93ea-547cebab93ed", "accepted"),
        ("1111d37b-283f-44a0-93ea-547cebab93ed", "overridden"),
    ]
    assert entries[0]["accepted_suggestions"] == '["e56e1945-20b3-4393-8503-a1a20fd73152"]'
    assert entries[1]["override_code"] == "specialist-directed"
    assert entries[1]["service_id"] == "eczema-order-sign"


def test_invalid_feedback_is_400_and_nothing_is_stored(app: Any, client: Any) -> None:
    bad = {"feedback": [{"card": "x", "outcome": "maybe", "outcomeTimestamp": "2026-11-22"}]}
    _is_outcome(client.post("/cds-services/eczema-order-sign/feedback", json=bad), 400)
    assert app.extensions["cds_runtime"].store.count() == 0


def test_feedback_for_unknown_service_is_404(client: Any) -> None:
    _is_outcome(client.post("/cds-services/nope/feedback", json=_feedback()), 404)


def test_spec_feedback_examples_are_accepted(client: Any) -> None:
    for name in ("feedback-accepted", "feedback-overridden", "feedback-overridden-with-reason"):
        body = load_example(f"v2.0.1/{name}.json")
        response = client.post("/cds-services/eczema-order-select/feedback", json=body)
        assert response.status_code == 200, name


def test_health_and_readiness(client: Any) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "ready"


@pytest.mark.parametrize(
    "change",
    [
        {"card": "x" * 201},
        {"outcomeTimestamp": "2026-11-22T10:00:00." + "1" * 60 + "Z"},
        {"overrideReason": {"reason": {"system": "s", "code": "c" * 201}}},
    ],
)
def test_feedback_the_database_could_not_store_is_a_400_not_a_retry(
    app: Any, client: Any, change: dict[str, Any]
) -> None:
    entry = {"card": "c1", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:00:00Z"}
    entry.update(change)
    response = client.post("/cds-services/eczema-order-sign/feedback", json={"feedback": [entry]})
    assert response.status_code == 400
    assert app.extensions["cds_runtime"].store.count() == 0


def test_a_feedback_batch_is_bounded(client: Any) -> None:
    entry = {"card": "c1", "outcome": "overridden", "outcomeTimestamp": "2026-11-22T10:00:00Z"}
    body = {"feedback": [entry] * 1001}
    assert client.post("/cds-services/eczema-order-sign/feedback", json=body).status_code == 400
    body = {"feedback": [entry] * 1000}
    assert client.post("/cds-services/eczema-order-sign/feedback", json=body).status_code == 200


def test_no_answer_may_be_cached_or_sniffed(tmp_path: Path) -> None:
    """Cards and errors carry patient-specific advice (and the Sandbox is a browser): every
    answer says no-store, and nosniff so a browser never reads JSON as HTML. Before: neither."""
    app = create_app(
        make_settings(tmp_path, cors_origins=("https://sandbox.cds-hooks.org",)),
        clock=pinned_clock,
    )
    client = app.test_client()
    sign = "/cds-services/eczema-order-sign"
    answers = [
        client.get("/cds-services"),
        post_hook(client, load_fixture(FIXTURE)),
        client.post(sign, data="{", content_type="application/json"),
        client.post("/cds-services/nope", json={}),
        client.post(f"{sign}/feedback", json=_feedback()),
        client.get("/healthz"),
        client.get("/metrics"),
        client.options(
            sign,
            headers={
                "Origin": "https://sandbox.cds-hooks.org",
                "Access-Control-Request-Method": "POST",
            },
        ),
    ]
    for response in answers:
        assert response.headers.get("Cache-Control") == "no-store", response.request.path
        assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert answers[1].status_code == 200
    app.extensions["cds_runtime"].store.dispose()
