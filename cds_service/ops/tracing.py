"""OpenTelemetry tracing behind a tiny API; off by default (``CDS_TRACING=off|console|otlp``).

The rest of the service calls ``span(name, **attrs)`` (a context manager; ``server_span`` and
``client_span`` for the hook call and a FHIR GET), ``inject(headers)`` and ``carry(job)`` only.
This is the one module that imports OpenTelemetry, and only when tracing is on, so the service
runs without the ``tracing`` extra installed. With tracing off each call is a boolean check
that returns a shared no-op (or its argument).

No patient data in spans: attributes are passed by keyword and each keyword maps to one name
in ``ATTRIBUTES`` (an unknown keyword is a TypeError). Values are service ids, hook names, a
UUID ``hookInstance``, FHIR resource types from a fixed set, status codes, counts, the FHIR
server's host name and the catalogue version. Exceptions are never recorded (their text and
traceback can carry request values): a failed span gets ``error.type``, the exception's class.

The provider is this module's own; the process-wide OpenTelemetry provider is left alone.
Several apps in one process (tests) share it: the last ``configure`` wins.
"""

from __future__ import annotations

import contextvars
import functools
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

MODES = ("off", "console", "otlp")
SERVICE_NAME = "eczema-cds"
# keyword -> attribute name (OpenTelemetry semantic conventions where one exists)
ATTRIBUTES = {
    "service": "cds.service.id",
    "hook": "cds.hook.name",
    "hook_instance": "cds.hook.instance",
    "catalogue": "cds.catalogue.version",
    "status": "http.response.status_code",
    "cards": "cds.cards.count",
    "method": "http.request.method",
    "resource_type": "fhir.resource_type",
    "bytes": "http.response.body.size",
    "host": "server.address",
    "error": "error.type",
}
T = TypeVar("T")


class TracingConfigError(ValueError):
    """CDS_TRACING names an unknown mode, or a mode whose packages are not installed."""


class _NoSpan:
    """What ``span`` returns with tracing off: enters, sets and exits doing nothing."""

    __slots__ = ()

    def __enter__(self) -> _NoSpan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def set(self, **attrs: Any) -> None:
        """Add attributes to the span (nothing to add them to)."""


NO_SPAN = _NoSpan()
_tracer: Any = None  # an opentelemetry Tracer while tracing is on
_provider: Any = None
_propagator: Any = None
_continue_incoming = False  # continue (True) or only link (False) an incoming traceparent


def enabled() -> bool:
    """True while spans are recorded."""
    return _tracer is not None


def span(name: str, **attrs: Any) -> _NoSpan | _Span:
    """A span named ``name``, child of the current one, current inside the ``with`` block."""
    if _tracer is None:
        return NO_SPAN
    return _Span(name, attrs, "INTERNAL")


def client_span(name: str, **attrs: Any) -> _NoSpan | _Span:
    """Like ``span``, for a request this service sends (a FHIR read)."""
    if _tracer is None:
        return NO_SPAN
    return _Span(name, attrs, "CLIENT")


def server_span(name: str, headers: Any, **attrs: Any) -> _NoSpan | _Span:
    """Like ``span``, for a request this service answers (``headers``: any mapping with
    ``get``). The span opens before the caller is authenticated, so by default a W3C
    ``traceparent`` header is only *linked* (a new trace, with a link to the caller's span):
    an unauthenticated caller cannot pick our trace id or force sampling. With
    ``configure(..., continue_incoming=True)`` (``CDS_TRACING_CONTINUE``, for a deployment
    whose ingress sets or strips the header) the caller's trace is continued instead.

    ``tracestate`` is never taken over: it is the caller's free text, and would otherwise be
    sent on to the FHIR server and the trace backend."""
    if _tracer is None:
        return NO_SPAN
    traceparent = headers.get("traceparent")
    carrier = {"traceparent": traceparent} if isinstance(traceparent, str) else {}
    incoming = _propagator.extract(carrier) if carrier else None
    from opentelemetry import trace
    from opentelemetry.context import Context

    if incoming is None:
        # A new, empty Context, never the current one (`parent=None`): a span left current on
        # this thread must not become the parent and join another call to this one's trace.
        return _Span(name, attrs, "SERVER", parent=Context())
    if _continue_incoming:
        return _Span(name, attrs, "SERVER", parent=incoming)
    caller = trace.get_current_span(incoming).get_span_context()
    links = [trace.Link(caller)] if caller.is_valid else []
    return _Span(name, attrs, "SERVER", parent=Context(), links=links)


def inject(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` plus a W3C ``traceparent`` naming the current span; unchanged when off."""
    if _tracer is None:
        return headers
    out = dict(headers)
    _propagator.inject(out)
    return out


def carry(job: Callable[[], T]) -> Callable[[], T]:
    """``job`` bound to the current context, for another thread (the span parent follows)."""
    if _tracer is None:
        return job
    return functools.partial(contextvars.copy_context().run, job)


def _attributes(attrs: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return {ATTRIBUTES[k]: v for k, v in attrs.items() if v is not None}
    except KeyError as exc:
        raise TypeError(f"span attribute {exc} is not in tracing.ATTRIBUTES") from None


class _Span:
    """A live span made current for the ``with`` block; ``set`` adds attributes."""

    __slots__ = ("_attrs", "_cm", "_kind", "_links", "_name", "_span")

    def __init__(
        self, name: str, attrs: Mapping[str, Any], kind: str, parent: Any = None, links: Any = ()
    ) -> None:
        self._name = name
        self._attrs = _attributes(attrs)
        self._kind = kind
        self._links = links
        self._cm: Any = None
        self._span: Any = parent  # the parent Context (None: the current one) until entered

    def __enter__(self) -> _Span:
        from opentelemetry.trace import SpanKind

        self._cm = _tracer.start_as_current_span(
            self._name,
            context=self._span,
            kind=SpanKind[self._kind],
            links=self._links or None,
            attributes=self._attrs,
            record_exception=False,
            set_status_on_exception=False,
        )
        self._span = self._cm.__enter__()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            from opentelemetry.trace import StatusCode

            self._span.set_attribute(ATTRIBUTES["error"], exc_type.__name__)
            self._span.set_status(StatusCode.ERROR)
        self._cm.__exit__(None, None, None)

    def set(self, **attrs: Any) -> None:
        """Add attributes (same keywords as ``span``)."""
        self._span.set_attributes(_attributes(attrs))


def configure(mode: str, exporter: Any = None, continue_incoming: bool = False) -> None:
    """Turn tracing off, or on with the mode's exporter (an explicit ``exporter``, e.g. the
    tests' InMemorySpanExporter, is used instead and exported synchronously);
    ``continue_incoming``: see ``server_span``."""
    global _tracer, _provider, _propagator, _continue_incoming
    _continue_incoming = continue_incoming
    mode = mode.strip().lower()
    if mode not in MODES:
        raise TracingConfigError(f"CDS_TRACING must be one of {MODES}, got {mode!r}")
    if _provider is not None:
        _provider.shutdown()  # flushes what the previous exporter still holds
    _tracer = _provider = _propagator = None
    if mode == "off":
        return
    try:
        _provider, _propagator = _build(mode, exporter)
    except ImportError as exc:
        extra = "pip install 'cds-service[tracing]'"
        raise TracingConfigError(
            f"CDS_TRACING={mode} needs the OpenTelemetry packages ({exc.name} is missing): {extra}"
        ) from None
    _tracer = _provider.get_tracer("cds_service")


def _build(mode: str, exporter: Any) -> tuple[Any, Any]:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    if mode == "otlp":  # endpoint, headers, timeout: the standard OTEL_EXPORTER_OTLP_* variables
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    named = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(named))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif mode == "otlp":
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stdout)))
    return provider, TraceContextTextMapPropagator()
