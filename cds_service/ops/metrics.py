"""Prometheus metrics: requests, latency per stage, FHIR fetches, cards and feedback per rule.

Each app owns a registry, so test apps never share counters. Under gunicorn with several
workers set ``PROMETHEUS_MULTIPROC_DIR`` (``gunicorn.conf.py`` does) and ``/metrics`` sums
every worker's values. Labels carry service ids, rule ids and outcomes only: no patient data.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from cds_service.cards import RENDER_FAILED
from cds_service.hookcall import current as current_call

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
DROP_TYPES = frozenset(
    {"Patient", "Condition", "MedicationRequest", "Observation", "CarePlan", "ServiceRequest"}
    | {"AllergyIntolerance", "Coverage", "Procedure", "Encounter", "Immunization"}
)
HOOK_ENDPOINT = "cds.call_service"
FEEDBACK_ENDPOINT = "cds.feedback"


class Metrics:
    """The service's metric families, registered in one registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._children: dict[tuple[Any, tuple[str, ...]], Any] = {}
        self._adders: dict[tuple[Any, tuple[str, ...]], Callable[[float], None]] = {}
        r = self.registry
        self.requests = Counter(
            "cds_http_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=r,
        )
        self.hook_requests = Counter(
            "cds_hook_requests",
            "Hook calls by service and status",
            ["service", "status"],
            registry=r,
        )
        self.hook_latency = Histogram(
            "cds_hook_request_duration_seconds",
            "Hook call latency, parse to response",
            ["service"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.stage_latency = Histogram(
            "cds_hook_stage_duration_seconds",
            "Time per pipeline stage (parse, validate, fetch, picture, rules, render)",
            ["service", "stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.fhir_requests = Counter(
            "cds_fhir_requests",
            "FHIR requests made by the service, by outcome (ok, http_4xx, timeout, ...)",
            ["service", "outcome"],
            registry=r,
        )
        self.prefetch_keys = Counter(
            "cds_prefetch_keys",
            "Prefetch keys by where their data came from (provided, fetched, unavailable, ...)",
            ["service", "key", "source"],
            registry=r,
        )
        self.cards = Counter(
            "cds_cards", "Cards returned", ["service", "rule", "indicator"], registry=r
        )
        self.decisions = Counter(
            "cds_rule_decisions",
            "Rule outcomes (fired, silent, render-failed)",
            ["rule", "outcome"],
            registry=r,
        )
        self._add_outcomes(r)

    def _add_outcomes(self, r: CollectorRegistry) -> None:
        """Feedback, dropped resources, cards not rendered or not logged, the catalogue."""
        self.feedback = Counter(
            "cds_feedback",
            "Feedback entries by rule id (unknown: a card uuid we never issued) and outcome",
            ["rule", "outcome"],
            registry=r,
        )
        self.foreign_resources = Counter(
            "cds_foreign_resources_dropped",
            "Resources dropped before the picture because they name another patient",
            ["service", "resource_type"],
            registry=r,
        )
        self.render_failures = Counter(
            "cds_card_render_failures",
            "Cards left out of a response because they failed to render (logged with the rule)",
            ["rule"],
            registry=r,
        )
        self.card_log_failures = Counter(
            "cds_card_log_failures", "Issued cards that could not be recorded", registry=r
        )
        self.catalogue = Gauge(
            "cds_catalogue_info",
            "The loaded rule-catalogue version (value is always 1)",
            ["version"],
            multiprocess_mode="max",
            registry=r,
        )

    def _child(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, kept: a hook call touches ~40 labelled series, and
        `labels()` validates and locks each time. Every label here comes from a bounded set
        (services, stages, rule ids, prefetch keys, statuses), so the cache stays small."""
        key = (metric, labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def _counted(self, metric: Any, *labels: str) -> Callable[[float], None]:
        """What adds to the series `metric.labels(*labels)` of a Counter, kept like `_child`.

        ``Counter.inc`` checks the amount and the exemplar and then adds to its value (one
        lock); called with 1 and no exemplar, the value's own ``inc`` is all that is left of it.
        ~35 series a hook call (~7 us of its ~37 us). A client without it: the public ``inc``."""
        key = (metric, labels)
        add = self._adders.get(key)
        if add is None:
            child = self._child(metric, *labels)
            value: Any = getattr(child, "_value", child)
            add = self._adders[key] = getattr(value, "inc", child.inc)
        return add

    def observe_hook(self, service: str, status: int, seconds: float) -> None:
        """Count one hook call and its latency; then the stages, FHIR and cards from g."""
        child, counted = self._child, self._counted
        counted(self.hook_requests, service, str(status))(1)
        child(self.hook_latency, service).observe(seconds)
        call = current_call()
        if call is None:
            return
        if call.parse_seconds is not None:
            child(self.stage_latency, service, "parse").observe(call.parse_seconds)
        for outcome in call.session.outcomes if call.session is not None else ():
            counted(self.fhir_requests, service, outcome)(1)
        result = call.result
        if result is None:
            return
        for stage, spent in result.stages.items():
            child(self.stage_latency, service, stage).observe(spent)
        for key, source in result.sources.items():
            counted(self.prefetch_keys, service, key, source)(1)
        decisions, failures = self.decisions, self.render_failures
        for step in result.trace:
            rule, outcome = step["rule"], step["outcome"]
            if outcome != "dropped":  # the identity step is not a rule's decision
                counted(decisions, rule, outcome)(1)
            if outcome == RENDER_FAILED:
                counted(failures, rule)(1)
        for rtype in result.dropped:
            label = rtype if rtype in DROP_TYPES else "other"  # label values from a fixed set
            counted(self.foreign_resources, service, label)(1)
        for card in result.body.get("cards", []):
            counted(self.cards, service, card["source"]["topic"]["code"], card["indicator"])(1)

    def observe_feedback(self, resolved: Iterable[tuple[str | None, str]]) -> None:
        """Count stored feedback entries per rule id and outcome."""
        for rule_id, outcome in resolved:
            self.feedback.labels(rule_id or "unknown", outcome).inc()

    def exposition(self) -> bytes:
        """The text format; in multiprocess mode, the sum over every worker."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return generate_latest(merged)
        return generate_latest(self.registry)


def metrics_of(app: Flask) -> Metrics:
    """The app's metrics."""
    found: Metrics = app.extensions["cds_metrics"]
    return found


def init_metrics(app: Flask, services: Iterable[str], version: str) -> Metrics:
    """Create the app's metrics and count every request once it is answered."""
    metrics = Metrics()
    metrics.catalogue.labels(version).set(1)
    known = set(services)
    app.extensions["cds_metrics"] = metrics

    @app.before_request
    def _start_clock() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("metrics_started")
        spent = time.perf_counter() - started if started is not None else 0.0
        req = request._get_current_object()  # type: ignore[attr-defined]  # ~1 us a proxy use
        rule = req.url_rule
        status = response.status_code
        metrics._counted(metrics.requests, rule.rule if rule else "unmatched", str(status))(1)
        endpoint = req.endpoint
        if endpoint == HOOK_ENDPOINT:
            metrics.observe_hook(_service_label(req.view_args, known), status, spent)
        elif endpoint == FEEDBACK_ENDPOINT:
            metrics.observe_feedback(g.get("feedback_resolved", ()))
        return response

    return metrics


def _service_label(view_args: dict[str, Any] | None, known: set[str]) -> str:
    service = (view_args or {}).get("service_id")
    return service if service in known else "unknown"


def metrics_response(app: Flask) -> Response:
    """A /metrics response in the Prometheus text format."""
    return Response(metrics_of(app).exposition(), content_type=CONTENT_TYPE_LATEST)
