"""POST /cds-services/{id}: one hook call."""

from __future__ import annotations

import logging
import time

from flask import Response, jsonify

from cds_service.api import bp, json_body, runtime, service_or_404
from cds_service.gcpause import gc_paused
from cds_service.pipeline import TRACE_EXTENSION, run_hook

log = logging.getLogger("cds_service.hooks")


@bp.post("/cds-services/<service_id>")
def call_service(service_id: str) -> Response:
    """Validate the request, build the picture, run the rules, answer cards."""
    started = time.perf_counter()
    service = service_or_404(service_id)
    with gc_paused():  # a big chart is ~10 objects per JSON value: see cds_service/gcpause.py
        body = json_body()
        rt = runtime()
        result = run_hook(rt, service, body)
        if rt.settings.debug_trace:
            result.body.setdefault("extension", {})[TRACE_EXTENSION] = result.trace
        response = jsonify(result.body)
        instance, fired = str(body.get("hookInstance"))[:100], result.fired
        del body, result  # freed here by reference counting, before the collector resumes
    log.info(
        "hook answered",
        extra={
            "service": service.id,
            "hookInstance": instance,
            "rules_fired": fired,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    return response
