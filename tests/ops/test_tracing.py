"""CDS_TRACING: one cds.hook span per call, a child per stage, one per FHIR GET, no patient data.

Spans are read from OpenTelemetry's InMemorySpanExporter (passed in ``Settings.extra``); FHIR
fallback goes to the loopback fake server of tests/fhir, which also shows the traceparent
each request carried.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from cds_service.ops import tracing
from tests.conftest import load_fixture, make_settings, post_hook
from tests.fhir.fake_fhir import FakeFhirServer
from tests.ops.tracing_support import (
    FIXTURE,
    PARENT_ID,
    SERVICE,
    STAGES,
    TRACE_ID,
    children,
    only,
    without_prefetch,
)


def test_a_prefetched_call_is_a_hook_span_with_one_child_per_stage(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter
) -> None:
    app = traced_app(make_settings(tmp_path, tracing="console"))
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
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter, fhir: FakeFhirServer
) -> None:
    app = traced_app(make_settings(tmp_path, tracing="console"))
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


def test_an_incoming_traceparent_is_only_linked_by_default(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter
) -> None:
    # The span opens before the JWT is checked: an unauthenticated caller must not choose
    # our trace id (or force sampling), so its span is a link, not our parent.
    app = traced_app(make_settings(tmp_path, tracing="console"))
    headers = {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    response = app.test_client().post(
        f"/cds-services/{SERVICE}", json=load_fixture(FIXTURE), headers=headers
    )
    assert response.status_code == 200
    hook = only(exporter.get_finished_spans(), "cds.hook")
    assert hook.parent is None
    assert hook.context is not None and hook.context.trace_id != int(TRACE_ID, 16)
    linked = [link.context for link in hook.links]
    assert [(c.trace_id, c.span_id) for c in linked] == [(int(TRACE_ID, 16), int(PARENT_ID, 16))]


def test_a_malformed_traceparent_gives_a_new_trace_without_a_link(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter
) -> None:
    app = traced_app(make_settings(tmp_path, tracing="console"))
    headers = {"traceparent": "00-not-a-trace-01"}
    response = app.test_client().post(
        f"/cds-services/{SERVICE}", json=load_fixture(FIXTURE), headers=headers
    )
    assert response.status_code == 200
    hook = only(exporter.get_finished_spans(), "cds.hook")
    assert hook.parent is None and not hook.links


@pytest.mark.parametrize("continue_incoming", [False, True])
def test_a_call_without_traceparent_is_a_new_trace_whatever_span_is_current(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter, continue_incoming: bool
) -> None:
    # A span left current on the worker thread (one a previous request failed to close, a
    # wrapper's) must not become the parent: that would join another call, another patient's,
    # to this one's trace. An absent header starts a new trace, as a malformed one does.
    settings = make_settings(tmp_path, tracing="console", tracing_continue=continue_incoming)
    app = traced_app(settings)
    with tracing.span("left-current"):
        response = app.test_client().post(f"/cds-services/{SERVICE}", json=load_fixture(FIXTURE))
    assert response.status_code == 200
    hook = only(exporter.get_finished_spans(), "cds.hook")
    assert hook.parent is None and not hook.links


def test_an_incoming_traceparent_is_continued_when_configured(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter
) -> None:
    app = traced_app(make_settings(tmp_path, tracing="console", tracing_continue=True))
    client = app.test_client()
    headers = {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    response = client.post(f"/cds-services/{SERVICE}", json=load_fixture(FIXTURE), headers=headers)
    assert response.status_code == 200
    hook = only(exporter.get_finished_spans(), "cds.hook")
    assert hook.parent is not None and hook.parent.is_remote
    assert hook.parent.span_id == int(PARENT_ID, 16)
    assert hook.context is not None and hook.context.trace_id == int(TRACE_ID, 16)


@pytest.mark.parametrize("continued", [False, True])
def test_the_fhir_server_sees_our_trace_without_the_callers_tracestate(
    tmp_path: Path,
    traced_app: Any,
    exporter: InMemorySpanExporter,
    fhir: FakeFhirServer,
    continued: bool,
) -> None:
    headers = {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01", "tracestate": "ehr=mrn-12345"}
    settings = make_settings(tmp_path, tracing="console", tracing_continue=continued)
    body, _ = without_prefetch(fhir)
    response = (
        traced_app(settings)
        .test_client()
        .post(f"/cds-services/{SERVICE}", json=body, headers=headers)
    )
    assert response.status_code == 200
    hook = only(exporter.get_finished_spans(), "cds.hook")
    assert hook.context is not None and not hook.context.trace_state
    assert fhir.seen
    ours = f"00-{hook.context.trace_id:032x}-"
    for seen in fhir.seen:
        assert seen.headers["traceparent"].startswith(ours)
        assert "tracestate" not in seen.headers
    assert (hook.context.trace_id == int(TRACE_ID, 16)) is continued


def test_with_tracing_off_nothing_is_recorded_or_sent(
    tmp_path: Path, traced_app: Any, exporter: InMemorySpanExporter, fhir: FakeFhirServer
) -> None:
    app = traced_app(make_settings(tmp_path))  # CDS_TRACING defaults to off
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
