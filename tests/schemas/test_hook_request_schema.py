"""The request envelope and the per-hook context schemas."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.schemas import hook_request_errors, validation_errors

from .helpers import drop_path, sandbox_order_select_request, set_path

FHIR_AUTHORIZATION: dict[str, Any] = {
    "access_token": "opaque",
    "token_type": "Bearer",
    "expires_in": 300,
    "scope": "user/Patient.read",
    "subject": "cds-service",
}


def test_sandbox_order_select_request_is_accepted() -> None:
    """No Bundle.type, category/reasonCode as objects, no medication or intent: all tolerated."""
    request = sandbox_order_select_request()
    draft = request["context"]["draftOrders"]
    assert "type" not in draft
    assert isinstance(draft["entry"][0]["resource"]["category"], dict)
    assert hook_request_errors(request) == []


@pytest.mark.parametrize("member", ["hook", "hookInstance", "context"])
def test_missing_envelope_member_is_rejected(member: str) -> None:
    request = drop_path(sandbox_order_select_request(), [member])
    assert validation_errors("hook-request", request) == [f"$.{member}: required property missing"]


@pytest.mark.parametrize("member", ["hook", "hookInstance"])
def test_empty_hook_or_hook_instance_is_rejected(member: str) -> None:
    request = set_path(sandbox_order_select_request(), [member], "")
    assert validation_errors("hook-request", request) == [f"$.{member}: must not be empty"]


def test_hook_instance_need_not_be_a_uuid() -> None:
    request = set_path(sandbox_order_select_request(), ["hookInstance"], "constant-instance")
    assert hook_request_errors(request) == []


def test_fhir_authorization_without_fhir_server_is_rejected() -> None:
    request = drop_path(sandbox_order_select_request(), ["fhirServer"])
    request["fhirAuthorization"] = FHIR_AUTHORIZATION
    assert validation_errors("hook-request", request) == [
        "$.fhirServer: required property missing "
        "(fhirServer is required when fhirAuthorization is present)"
    ]


def test_fhir_server_without_fhir_authorization_is_accepted() -> None:
    """The Sandbox against an open FHIR server sends fhirServer alone."""
    assert "fhirAuthorization" not in sandbox_order_select_request()
    assert validation_errors("hook-request", sandbox_order_select_request()) == []


def test_empty_access_token_is_accepted_for_da_vinci_request_generator() -> None:
    request = set_path(sandbox_order_select_request(), ["fhirAuthorization"], FHIR_AUTHORIZATION)
    request["fhirAuthorization"]["access_token"] = ""
    assert validation_errors("hook-request", request) == []


@pytest.mark.parametrize(
    ("member", "value", "message"),
    [
        ("token_type", "MAC", "has the wrong format (must be 'Bearer')"),
        ("expires_in", "300", "expected integer, got string"),
        ("scope", "", "must not be empty"),
    ],
)
def test_bad_fhir_authorization_member_is_rejected(member: str, value: Any, message: str) -> None:
    request = set_path(sandbox_order_select_request(), ["fhirAuthorization"], FHIR_AUTHORIZATION)
    request["fhirAuthorization"][member] = value
    assert validation_errors("hook-request", request) == [
        f"$.fhirAuthorization.{member}: {message}"
    ]


def test_fhir_server_must_be_an_absolute_http_url() -> None:
    request = set_path(sandbox_order_select_request(), ["fhirServer"], "fhir/server")
    assert validation_errors("hook-request", request) == [
        "$.fhirServer: has the wrong format (absolute http(s) URL)"
    ]


def test_null_prefetch_value_is_accepted_and_a_string_is_rejected() -> None:
    from cds_service.pipeline import prefetch_errors
    from cds_service.rules import load_rules
    from cds_service.services import build_services

    service = build_services(load_rules())["eczema-order-select"]
    request = set_path(sandbox_order_select_request(), ["prefetch"], {"patient": None})
    assert validation_errors("hook-request", request) == []
    assert prefetch_errors(service, request["prefetch"]) == []
    request["prefetch"]["patient"] = "Patient/1"
    assert validation_errors("hook-request", request) == []  # judged per service, below
    assert prefetch_errors(service, request["prefetch"]) == [
        "$.prefetch.patient: expected object or null, got string"
    ]


def test_context_must_be_an_object() -> None:
    request = set_path(sandbox_order_select_request(), ["context"], [])
    assert hook_request_errors(request) == ["$.context: expected object, got array"]


# --- contexts --------------------------------------------------------------------------------


def test_order_select_without_selections_is_rejected() -> None:
    request = drop_path(sandbox_order_select_request(), ["context", "selections"])
    assert hook_request_errors(request) == ["$.context.selections: required property missing"]


def test_order_sign_does_not_need_selections() -> None:
    request = drop_path(sandbox_order_select_request(), ["context", "selections"])
    request["hook"] = "order-sign"
    assert hook_request_errors(request) == []


@pytest.mark.parametrize(
    ("selections", "message"),
    [
        ([], "$.context.selections: must not be an empty array"),
        (["request-123"], "$.context.selections[0]: has the wrong format"),
        (["MedicationRequest/request-123\n"], "$.context.selections[0]: has the wrong format"),
        (["https://x/MedicationRequest/1"], "$.context.selections[0]: has the wrong format"),
    ],
)
def test_selections_must_be_relative_references(selections: list[str], message: str) -> None:
    request = set_path(sandbox_order_select_request(), ["context", "selections"], selections)
    assert [m.split(" (")[0] for m in hook_request_errors(request)] == [message]


@pytest.mark.parametrize("hook", ["order-select", "order-sign", "patient-view"])
def test_context_needs_user_and_patient(hook: str) -> None:
    request = set_path(sandbox_order_select_request(), ["hook"], hook)
    request["context"] = {k: v for k, v in request["context"].items() if k != "patientId"}
    del request["context"]["userId"]
    assert hook_request_errors(request) == [
        "$.context.userId: required property missing",
        "$.context.patientId: required property missing",
    ]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["resourceType"], "Parameters", '$.context.draftOrders.resourceType: must be "Bundle"'),
        (["entry"], {}, "$.context.draftOrders.entry: expected array, got object"),
        (["entry", 0], {"fullUrl": "x"}, "$.context.draftOrders.entry[0].resource: required"),
        (
            ["entry", 0, "resource"],
            {"id": "x"},
            "$.context.draftOrders.entry[0].resource.resourceType: required",
        ),
    ],
)
def test_draft_orders_shape_the_service_relies_on(
    path: list[str | int], value: Any, message: str
) -> None:
    request = set_path(sandbox_order_select_request(), ["context", "draftOrders", *path], value)
    errors = hook_request_errors(request)
    assert len(errors) == 1 and errors[0].startswith(message)


def test_encounter_id_is_optional_but_not_empty() -> None:
    request = set_path(sandbox_order_select_request(), ["context", "encounterId"], "enc-1")
    assert hook_request_errors(request) == []
    request["context"]["encounterId"] = ""
    assert hook_request_errors(request) == ["$.context.encounterId: must not be empty"]


def test_unknown_hook_gets_envelope_check_only() -> None:
    request = set_path(sandbox_order_select_request(), ["hook"], "encounter-start")
    request["context"] = {"anything": True}
    assert hook_request_errors(request) == []
