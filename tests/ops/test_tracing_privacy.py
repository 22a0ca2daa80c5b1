"""No span of a traced hook call carries a patient id, a resource id or a token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from tests.auth.test_guard import bearer, jwt_settings
from tests.auth.tokens import ec_key
from tests.conftest import load_fixture, make_settings, post_hook
from tests.fhir.fake_fhir import FakeFhirServer
from tests.ops.tracing_support import ACCESS_TOKEN, FIXTURE, SERVICE, only, without_prefetch


def test_no_attribute_of_any_span_holds_an_id_or_a_token(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter, fhir: FakeFhirServer
) -> None:
    key = ec_key("trace-test")
    app = traced_app(jwt_settings(tmp_path, key, tracing="console"))
    body, _ = without_prefetch(fhir)
    path = f"/cds-services/{SERVICE}"
    headers = bearer(key, path)
    response = app.test_client().post(path, json=body, headers=headers)
    assert response.status_code == 200
    fixture = load_fixture(FIXTURE)
    secrets = {
        fixture["context"]["patientId"],
        *resource_ids(fixture),
        headers["Authorization"].removeprefix("Bearer "),
        ACCESS_TOKEN,
    }
    assert len(secrets) >= 5
    spans = exporter.get_finished_spans()
    assert only(spans, "cds.auth").parent == only(spans, "cds.hook").context
    assert len([s for s in spans if s.name == "fhir.get"]) == len(fhir.seen) > 0
    values = [str(v) for s in spans for v in recorded_values(s)]
    assert values
    leaks = {secret for secret in secrets for value in values if secret in value}
    assert not leaks


def resource_ids(value: Any) -> set[str]:
    """Every ``id`` anywhere in a FHIR document (the fixture's resources and draft orders)."""
    if isinstance(value, dict):
        own = {value["id"]} if isinstance(value.get("id"), str) else set()
        return own.union(*(resource_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(resource_ids(v) for v in value))
    return set()


def recorded_values(span: ReadableSpan) -> list[Any]:
    """Everything a span carries to an exporter besides its ids and times."""
    values: list[Any] = [span.name, span.status.description]
    values += [*(span.attributes or {}).keys(), *(span.attributes or {}).values()]
    for event in span.events:
        values += [event.name, *(event.attributes or {}).values()]
    for link in span.links:
        values += list((link.attributes or {}).values())
    return values


def test_a_failed_stage_names_the_error_type_and_records_no_exception(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter
) -> None:
    app = traced_app(make_settings(tmp_path, tracing="console"))
    body = load_fixture(FIXTURE)
    del body["prefetch"]  # and no fhirServer: 412
    assert post_hook(app.test_client(), body).status_code == 412
    spans = exporter.get_finished_spans()
    assert only(spans, "cds.hook").attributes["http.response.status_code"] == 412  # type: ignore[index]
    fetch = only(spans, "cds.fetch")
    assert fetch.status.status_code is StatusCode.ERROR
    assert fetch.attributes == {"error.type": "PreconditionFailed"}
    assert not [e for s in spans for e in s.events]  # no exception message, no traceback
