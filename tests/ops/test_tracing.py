"""CDS_TRACING: one cds.hook span per call, a child per stage, one per FHIR GET, no patient data.

Spans are read from OpenTelemetry's InMemorySpanExporter (passed in ``Settings.extra``); FHIR
fallback goes to the loopback fake server of tests/fhir, which also shows the traceparent
each request carried.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from cds_service import create_app
from cds_service.ops import tracing
from tests.auth.test_guard import bearer, jwt_settings
from tests.auth.tokens import ec_key
from tests.conftest import load_fixture, make_settings, pinned_clock, post_hook
from tests.fhir.fake_fhir import FakeFhirServer, bundle

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
SERVICE = "eczema-order-sign"
STAGES = [
    "cds.parse",
    "cds.validate",
    "cds.fetch",
    "cds.picture",
    "cds.rules",
    "cds.render",
    "cds.card_log",
]
ACCESS_TOKEN = "opaque-fhir-token-4f1c9e"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
SEARCHES = {
    "Condition": "conditions",
    "MedicationRequest": "medications",
    "Observation": "observations",
    "CarePlan": "careplans",
    "ServiceRequest": "servicerequests",
}


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    mem = InMemorySpanExporter()
    yield mem
    tracing.configure("off")  # the provider is per process: leave the next test untraced


@pytest.fixture
def make_app(exporter: InMemorySpanExporter) -> Iterator[Any]:
    apps: list[Flask] = []

    def build(settings: Any) -> Flask:
        extra = {"span_exporter": exporter}
        app = create_app(settings.with_overrides(extra=extra), clock=pinned_clock)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["cds_runtime"].store.dispose()


def only(spans: Sequence[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, f"{len(found)} spans named {name}"
    return found[0]


def children(spans: Sequence[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    """The direct children of ``parent``, in start order."""
    assert parent.context is not None
    found = [s for s in spans if s.parent and s.parent.span_id == parent.context.span_id]
    return sorted(found, key=lambda s: s.start_time or 0)


def serve_fixture(fhir: FakeFhirServer, body: dict[str, Any]) -> dict[str, int]:
    """Serve the fixture's prefetch by resource type; the body size of each type's answer."""
    prefetch = body["prefetch"]
    sizes: dict[str, int] = {}
    answers = {"Patient": (f"/fhir/Patient/{prefetch['patient']['id']}", prefetch["patient"])}
    for rtype, key in SEARCHES.items():
        answers[rtype] = (
            f"/fhir/{rtype}",
            bundle(*(e["resource"] for e in prefetch[key]["entry"])),
        )
    for rtype, (path, answer) in answers.items():
        fhir.json(path, answer)
        sizes[rtype] = len(json.dumps(answer).encode())
    return sizes


def without_prefetch(fhir: FakeFhirServer) -> tuple[dict[str, Any], dict[str, int]]:
    """The fixture with no prefetch, its data on the fake FHIR server, a fhirAuthorization."""
    body = load_fixture(FIXTURE)
    sizes = serve_fixture(fhir, body)
    del body["prefetch"]
    body["fhirServer"] = fhir.base
    body["fhirAuthorization"] = {
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read user/Condition.read",
        "subject": "eczema-cds",
    }
    return body, sizes


def test_a_prefetched_call_is_a_hook_span_with_one_child_per_stage(
    tmp_path: Path, make_app: Any, exporter: InMemorySpanExporter
) -> None:
    app = make_app(make_settings(tmp_path, tracing="console"))
    body = load_fixture(FIXTURE)
    response = post_hook(app.test_client(), body)
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    hook = only(spans, "cds.hook")
    assert hook.parent is None and hook.kind is SpanKind.SERVER
    assert dict(hook.attributes or {}) == {
        "cds.service.id": SERVICE,
        "cds.hook.name": "order-sign",
        "cds.catalogue.version": app.extensions["cds_runtime"].version,
        "http.response.status_code": 200,
        "cds.cards.count": len(response.get_json()["cards"]),
        "cds.hook.instance": body["hookInstance"],
    }
    assert [s.name for s in children(spans, hook)] == STAGES
    assert [s.name for s in children(spans, only(spans, "cds.rules"))] == ["cds.repeat_guard"]
    assert not [s for s in spans if s.name == "fhir.get"]  # prefetch complete: no FHIR read
    assert {s.context.trace_id for s in spans if s.context} == {hook.context.trace_id}


def test_fhir_fallback_gives_one_client_span_per_get_under_the_fetch_stage(
    tmp_path: Path, make_app: Any, exporter: InMemorySpanExporter, fhir: FakeFhirServer
) -> None:
    app = make_app(make_settings(tmp_path, tracing="console"))
    body, sizes = without_prefetch(fhir)
    assert post_hook(app.test_client(), body).status_code == 200
    spans = exporter.get_finished_spans()
    gets = [s for s in spans if s.name == "fhir.get"]
    assert len(gets) == len(fhir.seen) == len(sizes)
    fetch = only(spans, "cds.fetch").context
    assert fetch is not None  # the GETs ran on pool threads, under the fetch stage all the same
    assert all(g.parent and g.parent.span_id == fetch.span_id for g in gets)
    assert {s.attributes["fhir.resource_type"] for s in gets if s.attributes} == set(sizes)
    for get in gets:
        assert get.kind is SpanKind.CLIENT
        attributes = dict(get.attributes or {})
        assert attributes == {
            "http.request.method": "GET",
            "fhir.resource_type": attributes["fhir.resource_type"],
            "server.address": "127.0.0.1",
            "http.response.status_code": 200,
            "http.response.body.size": sizes[str(attributes["fhir.resource_type"])],
        }
    # Each request carried a traceparent naming its own fhir.get span, in the hook's trace.
    sent = {s.headers.get("traceparent") for s in fhir.seen}
    assert sent == {
        f"00-{g.context.trace_id:032x}-{g.context.span_id:016x}-{g.context.trace_flags:02x}"
        for g in gets
    }


def test_no_attribute_of_any_span_holds_an_id_or_a_token(
    tmp_path: Path, make_app: Any, exporter: InMemorySpanExporter, fhir: FakeFhirServer
) -> None:
    key = ec_key("trace-test")
    app = make_app(jwt_settings(tmp_path, key, tracing="console"))
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
    tmp_path: Path, make_app: Any, exporter: InMemorySpanExporter
) -> None:
    app = make_app(make_settings(tmp_path, tracing="console"))
    body = load_fixture(FIXTURE)
    del body["prefetch"]  # and no fhirServer: 412
    assert post_hook(app.test_client(), body).status_code == 412
    spans = exporter.get_finished_spans()
    assert only(spans, "cds.hook").attributes["http.response.status_code"] == 412  # type: ignore[index]
    fetch = only(spans, "cds.fetch")
    assert fetch.status.status_code is StatusCode.ERROR
    assert fetch.attributes == {"error.type": "PreconditionFailed"}
    assert not [e for s in spans for e in s.events]  # no exception message, no traceback


def test_an_incoming_traceparent_is_continued(
    tmp_path: Path, make_app: Any, exporter: InMemorySpanExporter
) -> None:
    app = make_app(make_settings(tmp_path, tracing="console"))
    client = app.test_client()
    headers = {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    response = client.post(f"/cds-services/{SERVICE}", json=load_fixture(FIXTURE), headers=headers)
    assert response.status_code == 200
    hook = only(exporter.get_finished_spans(), "cds.hook")
    assert hook.parent is not None and hook.parent.is_remote
    assert hook.parent.span_id == int(PARENT_ID, 16)
    assert hook.context is not None and hook.context.trace_id == int(TRACE_ID, 16)


def test_with_tracing_off_nothing_is_recorded_or_sent(
    tmp_path: Path, make_app: Any, exporter: InMemorySpanExporter, fhir: FakeFhirServer
) -> None:
    app = make_app(make_settings(tmp_path))  # CDS_TRACING defaults to off
    body, _ = without_prefetch(fhir)
    assert post_hook(app.test_client(), body).status_code == 200
    assert fhir.seen and all("traceparent" not in s.headers for s in fhir.seen)
    assert exporter.get_finished_spans() == ()
    assert not tracing.enabled()
    assert tracing.span("cds.fetch") is tracing.NO_SPAN
    headers = {"Accept": "application/fhir+json"}
    assert tracing.inject(headers) is headers
    # The process-wide provider is never installed, on or off: it is still the API's proxy.
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
