"""What the answer to one hook call leaves for the log lines and the metrics: one object on
``flask.g`` (``g.hook_call``), written by the hook view, read by `ops/logs.py` and
`ops/metrics.py` after it. It holds ids, timings and outcomes, never patient data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import g, has_request_context

if TYPE_CHECKING:
    from cds_service.fhir.session import CountingSession
    from cds_service.pipeline import HookResult


@dataclass
class HookCall:
    """The service answering, the request's hookInstance, and what came of the call."""

    service: str
    instance: str | None = None  # hookInstance, at most 100 characters
    parse_seconds: float | None = None
    session: CountingSession | None = None  # its FHIR request outcomes
    result: HookResult | None = None  # stages, prefetch sources, decision trace


def current() -> HookCall | None:
    """The hook call the current request is answering, if it is one."""
    if not has_request_context():
        return None
    found: HookCall | None = g.get("hook_call")
    return found
