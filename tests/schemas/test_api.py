"""The module API others code against: validator, validation_errors, CONTEXT_SCHEMAS, load_all."""

from __future__ import annotations

import json
import time
from importlib import resources
from typing import Any

import jsonschema
import pytest

import cds_service.schemas as schemas
from cds_service.pipeline import prefetch_errors
from cds_service.schemas import (
    CONTEXT_SCHEMAS,
    SCHEMA_NAMES,
    SchemaLoadError,
    hook_request_errors,
    load_all,
    validation_errors,
    validator,
)

from .helpers import full_response, sandbox_order_select_request


def test_every_schema_file_is_listed_and_compiles() -> None:
    load_all()
    files = {
        entry.name.removesuffix(".schema.json")
        for entry in resources.files(schemas).iterdir()
        if entry.name.endswith(".schema.json")
    }
    assert files == set(SCHEMA_NAMES)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schemas_are_draft_2020_12_and_valid(name: str) -> None:
    schema = validator(name).schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_validator_is_compiled_once() -> None:
    assert validator("hook-request") is validator("hook-request")


def test_unknown_schema_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        validator("hook-request.schema.json")
    with pytest.raises(KeyError):
        validation_errors("../pyproject", {})


def test_invalid_schema_file_fails_with_its_file_name(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "nope"}

    class FakeFile:
        def read_text(self, encoding: str) -> str:
            return json.dumps(broken)

    class FakeDir:
        def joinpath(self, name: str) -> FakeFile:
            return FakeFile()

    monkeypatch.setattr(schemas.resources, "files", lambda package: FakeDir())
    with pytest.raises(SchemaLoadError, match=r"^broken\.schema\.json: "):
        schemas._compile("broken.schema.json")


def test_context_schemas_cover_the_served_hooks() -> None:
    assert dict(CONTEXT_SCHEMAS) == {
        "patient-view": "context-patient-view",
        "order-select": "context-order-select",
        "order-sign": "context-order-sign",
    }
    assert set(CONTEXT_SCHEMAS.values()) <= set(SCHEMA_NAMES)
    with pytest.raises(TypeError):
        CONTEXT_SCHEMAS["medication-prescribe"] = "x"  # type: ignore[index]


def test_valid_instance_has_no_errors() -> None:
    assert validation_errors("cds-response", full_response()) == []


def test_limit_caps_the_number_of_messages() -> None:
    response = {"cards": [{} for _ in range(50)]}
    assert len(validation_errors("cds-response", response)) == 10
    assert len(validation_errors("cds-response", response, limit=3)) == 3
    with pytest.raises(ValueError):
        validation_errors("cds-response", response, limit=0)


def test_root_prefixes_paths() -> None:
    assert validation_errors(
        "context-patient-view", {"userId": "Practitioner/1"}, root="$.ctx"
    ) == ["$.ctx.patientId: required property missing"]


def test_non_object_bodies_do_not_crash() -> None:
    for body in (None, [], "text", 3, True):
        assert hook_request_errors(body)[0].startswith("$: expected object, got ")


def _order_select_service() -> Any:
    from cds_service.rules import load_rules
    from cds_service.services import build_services

    return build_services(load_rules())["eczema-order-select"]


def test_messages_never_echo_planted_values() -> None:
    secret = "SECRET-123"
    request = sandbox_order_select_request()
    request["hookInstance"] = {secret: secret}
    request["fhirServer"] = secret
    request["fhirAuthorization"] = {
        "access_token": 123987,
        "token_type": secret,
        "expires_in": secret,
        "scope": [secret],
        "subject": secret,
    }
    request["prefetch"] = {"patient": secret, f"{secret} Jane Doe": secret}
    request["context"]["patientId"] = 9876543210
    request["context"]["userId"] = [secret]
    request["context"]["selections"] = [secret, f"Patient/{secret} x"]
    request["context"]["draftOrders"]["resourceType"] = secret
    response = full_response()
    card = response["cards"][0]
    card.update(summary=secret * 20, indicator=secret, detail=None)
    card["links"][0]["type"] = secret
    card["overrideReasons"][0]["code"] = 9876543210
    card[f"{secret} Jane Doe"] = ""  # a member name that could carry data
    messages = (
        hook_request_errors(request, limit=100)
        + prefetch_errors(_order_select_service(), request["prefetch"])
        + validation_errors("cds-response", response, limit=100)
    )
    assert len(messages) > 15
    text = "\n".join(messages)
    assert "SECRET" not in text and "9876543210" not in text and "123987" not in text
    assert "$.context.patientId: expected string, got integer" in messages
    assert "$.prefetch.patient: expected object or null, got string" in " ".join(messages)
    assert "$.cards[0][<key>]: must not be empty" in messages


def test_deeply_nested_and_large_input_is_handled() -> None:
    deep: object = {}
    for _ in range(5000):
        deep = {"a": [deep]}
    request = sandbox_order_select_request()
    request["context"]["draftOrders"]["entry"][0]["resource"]["extension"] = deep
    request["prefetch"] = {"huge": {"resourceType": "Bundle", "entry": [deep] * 10_000}}
    many = [{"resource": {"resourceType": "MedicationRequest"}}] * 50_000
    request["context"]["draftOrders"]["entry"] += many
    start = time.perf_counter()
    assert hook_request_errors(request) == []
    assert time.perf_counter() - start < 5


def test_many_errors_stop_at_the_limit_quickly() -> None:
    request = sandbox_order_select_request()
    request["context"]["draftOrders"]["entry"] = [{}] * 200_000
    start = time.perf_counter()
    assert len(hook_request_errors(request)) == 10
    assert time.perf_counter() - start < 2
