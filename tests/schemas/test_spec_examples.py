"""Conformance: the spec's own example payloads against our schemas.

Every file in ``tests/data/reference/cds-hooks-spec-examples`` is classified below. Examples
that break a 2.0.1 rule are not papered over by loosening a schema: each has its own test that
states the breach and shows the example passes once that one thing is fixed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cds_service.schemas import CONTEXT_SCHEMAS, hook_request_errors, validation_errors

from .helpers import EXAMPLES_DIR, load_example, wrap_context

# A minimal valid card that fragments (card-source.json, card-overrideReasons.json) merge into.
BASE_CARD: dict[str, Any] = {"summary": "s", "indicator": "info", "source": {"label": "l"}}

# kind -> what a SERVICE does with it; "documented" ones have dedicated tests below.
CLASSIFICATION: dict[str, str] = {
    "v2.0.1/action-create.json": "action",
    "v2.0.1/action-delete.json": "action",
    "v2.0.1/action-update.json": "action",
    "v2.0.1/card-overrideReasons.json": "card-fragment",
    "v2.0.1/card-source.json": "card-fragment",
    "v2.0.1/discovery-response-with-extension.json": "discovery",
    "v2.0.1/discovery-response.json": "discovery",
    "v2.0.1/feedback-accepted.json": "feedback",
    "v2.0.1/feedback-overridden-with-reason.json": "feedback",
    "v2.0.1/feedback-overridden.json": "feedback",
    "v2.0.1/fhirAuthorization.json": "fhirAuthorization",
    "v2.0.1/jwks-public.json": "not-a-payload",
    "v2.0.1/jwt-example-compact.txt": "not-a-payload",
    "v2.0.1/jwt-header.json": "not-a-payload",
    "v2.0.1/jwt-payload.json": "not-a-payload",
    "v2.0.1/prefetch-data.json": "documented",
    "v2.0.1/prefetch-templates.json": "discovery-prefetch",
    "v2.0.1/request-patient-view.json": "request",
    "v2.0.1/request-with-extension.json": "documented",
    "v2.0.1/response-autolaunchable.json": "documented",
    "v2.0.1/response-cards.json": "response",
    "v2.0.1/response-empty.json": "response",
    "v2.0.1/response-systemActions.json": "response",
    "3.0.0-ballot/context-order-sign-two-medicationrequests.json": "context:order-sign",
    "3.0.0-ballot/error-412-operationoutcome.json": "not-a-payload",
    "3.0.0-ballot/prefetch-fhirpath-chained.json": "discovery-prefetch",
    "3.0.0-ballot/prefetch-fhirpath-draftOrders.json": "discovery-prefetch",
    "3.0.0-ballot/prefetch-fhirpath-relative-date.json": "discovery-prefetch",
    "3.0.0-ballot/request-order-sign-paginated-prefetch.json": "request",
    "hooks-v1.0.1/medication-prescribe-context-stu3-deprecated.json": "documented",
    "hooks-v1.0.1/order-select-context-r4.json": "context:order-select",
    "hooks-v1.0.1/order-sign-context-r4.json": "context:order-sign",
    "hooks-v1.0.1/patient-view-context.json": "context:patient-view",
}


def _as_schema_input(relative: str, kind: str) -> tuple[str, Any]:
    """Turn one example into (schema name, full payload) for the schema that governs it."""
    data = load_example(relative)
    if kind == "action":
        suggestion = {"label": "x", "actions": [data]}
        card = dict(BASE_CARD, suggestions=[suggestion], selectionBehavior="any")
        return "cds-response", {"cards": [card]}
    if kind == "card-fragment":
        return "cds-response", {"cards": [dict(BASE_CARD, **data)]}
    if kind == "discovery-prefetch":
        service = {"hook": "patient-view", "id": "x", "description": "x", **data}
        return "discovery", {"services": [service]}
    if kind == "fhirAuthorization":
        request = wrap_context("patient-view", {"userId": "Practitioner/1", "patientId": "1"})
        return "hook-request", dict(request, fhirServer="https://ehr.example.org/fhir", **data)
    if kind.startswith("context:"):
        return "hook-request", wrap_context(kind.removeprefix("context:"), data["context"])
    name = {"discovery": "discovery", "feedback": "feedback", "response": "cds-response"}
    return name.get(kind, "hook-request"), data


VALID = sorted(
    (rel, kind)
    for rel, kind in CLASSIFICATION.items()
    if kind not in ("documented", "not-a-payload")
)


def test_every_spec_example_file_is_classified() -> None:
    on_disk = {str(p.relative_to(EXAMPLES_DIR)) for p in EXAMPLES_DIR.rglob("*") if p.is_file()} - {
        "README.md"
    }
    assert on_disk == set(CLASSIFICATION)


@pytest.mark.parametrize(("relative", "kind"), VALID, ids=[rel for rel, _ in VALID])
def test_spec_example_validates(relative: str, kind: str) -> None:
    name, payload = _as_schema_input(relative, kind)
    if name == "hook-request":
        assert hook_request_errors(payload) == []
        if kind.startswith("context:") or kind == "request":
            assert payload["hook"] in CONTEXT_SCHEMAS  # the context schema really ran
    else:
        assert validation_errors(name, payload) == []


@pytest.mark.parametrize("relative", ["v2.0.1/action-create.json", "v2.0.1/action-update.json"])
def test_spec_create_and_update_actions_also_validate_as_system_actions(relative: str) -> None:
    action = load_example(relative)
    assert validation_errors("cds-response", {"cards": [], "systemActions": [action]}) == []


def test_spec_delete_action_uses_resource_id_not_the_deprecated_resource_string() -> None:
    action = load_example("v2.0.1/action-delete.json")
    assert action["resourceId"] == "ServiceRequest/procedure-request-1"
    assert "resource" not in action


# --- documented exceptions -------------------------------------------------------------------


def test_spec_response_autolaunchable_omits_required_indicator() -> None:
    """2.0.1 example breaks 'indicator is REQUIRED' (req 87); we keep indicator required."""
    response = load_example("v2.0.1/response-autolaunchable.json")
    assert validation_errors("cds-response", response) == [
        "$.cards[0].indicator: required property missing"
    ]
    fixed = copy.deepcopy(response)
    fixed["cards"][0]["indicator"] = "info"
    assert validation_errors("cds-response", fixed) == []


def test_spec_request_with_extension_has_no_patient_id_in_its_patient_view_context() -> None:
    """The 2.0.1 extension example's context is abridged: patient-view requires patientId."""
    request = load_example("v2.0.1/request-with-extension.json")
    assert validation_errors("hook-request", request) == []  # the envelope and extension are fine
    assert hook_request_errors(request) == ["$.context.patientId: required property missing"]
    request["context"]["patientId"] = "1288992"
    assert hook_request_errors(request) == []


def test_spec_prefetch_data_is_accepted_though_its_user_key_is_not_a_fhir_resource() -> None:
    """prefetch-data.json's "user": "123" is neither a resource nor null, but no service of ours
    asks for a `user` key: it is ignored. A key we ask for must hold a resource or null."""
    prefetch = load_example("v2.0.1/prefetch-data.json")
    request = dict(wrap_context("patient-view", {"userId": "Practitioner/1", "patientId": "1"}))
    request.update(prefetch)
    assert request["prefetch"]["user"] == "123"
    assert hook_request_errors(request) == []
    from cds_service.pipeline import prefetch_errors
    from cds_service.rules import load_rules
    from cds_service.services import build_services

    request["prefetch"]["patient"] = "123"
    service = build_services(load_rules())["eczema-patient-view"]
    assert prefetch_errors(service, request["prefetch"]) == [
        "$.prefetch.patient: expected object or null, got string"
    ]


def test_spec_system_actions_example_omits_description_which_only_suggestions_require() -> None:
    """2.0.1 lists Action.description as REQUIRED (req 128) but its own systemActions example
    has none; CDS Hooks 3.0 makes it required only in suggestions (cds-resp-5). We follow 3.0
    for systemActions and stay strict for suggestion actions."""
    response = load_example("v2.0.1/response-systemActions.json")
    assert "description" not in response["systemActions"][0]
    assert validation_errors("cds-response", response) == []
    card = dict(
        BASE_CARD,
        selectionBehavior="any",
        suggestions=[{"label": "x", "actions": response["systemActions"]}],
    )
    assert validation_errors("cds-response", {"cards": [card]}) == [
        "$.cards[0].suggestions[0].actions[0].description: required property missing "
        "(actions in a suggestion need a description (cds-resp-5))"
    ]


def test_spec_feedback_override_reason_without_display_is_accepted() -> None:
    """Feedback codings echo the card's reason; display is only required on cards we emit."""
    feedback = load_example("v2.0.1/feedback-overridden-with-reason.json")
    assert "display" not in feedback["feedback"][0]["overrideReason"]["reason"]
    assert validation_errors("feedback", feedback) == []


def test_deprecated_medication_prescribe_request_is_envelope_checked_only() -> None:
    """medication-prescribe is not served: no context schema, and nothing crashes on it."""
    context = load_example("hooks-v1.0.1/medication-prescribe-context-stu3-deprecated.json")
    request = wrap_context("medication-prescribe", context["context"])
    assert "medication-prescribe" not in CONTEXT_SCHEMAS
    assert hook_request_errors(request) == []
    assert validation_errors("context-order-sign", request["context"]) == [
        "$.draftOrders: required property missing"
    ]
