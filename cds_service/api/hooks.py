"""POST /cds-services/{id}: one hook call."""

from __future__ import annotations

import logging
import time

import msgspec
from flask import Response, g

from cds_service import jsonbody
from cds_service.api import bp, json_body, runtime, service_or_404
from cds_service.fhir.session import CountingSession
from cds_service.gcpause import gc_paused
from cds_service.hookcall import HookCall
from cds_service.ops import tracing
from cds_service.ops.cardlog import record_issued
from cds_service.ops.tracing_flask import uuid_or_none
from cds_service.pipeline import TRACE_EXTENSION, run_hook

log = logging.getLogger("cds_service.hooks")
_encode = msgspec.json.Encoder().encode


@bp.post("/cds-services/<service_id>")
def call_service(service_id: str) -> Response:
    """Validate the request, build the picture, run the rules, answer cards."""
    started = time.perf_counter()
    service = service_or_404(service_id)
    with gc_paused():  # a big chart is ~10 objects per JSON value: see cds_service/gcpause.py
        with tracing.span("cds.parse"):
            body = json_body(jsonbody.loads_hook)  # lazy observations: fhir/deferred.py
        call = g.hook_call = HookCall(service.id, parse_seconds=time.perf_counter() - started)
        # Logged only as the UUID CDS Hooks says it is (as in the trace): anything else is
        # whatever the EHR chose to put there, an MRN as easily as a random id.
        instance = uuid_or_none(body.get("hookInstance")) if isinstance(body, dict) else None
        call.instance = instance
        rt = runtime()
        with CountingSession(pool=rt.fhir_sessions) as session:
            call.session = session
            result = call.result = run_hook(rt, service, body, session, caller=_caller_scope())
        with tracing.span("cds.card_log"):
            record_issued(rt, service.id, result.body["cards"])
        if rt.settings.debug_trace:
            result.body.setdefault("extension", {})[TRACE_EXTENSION] = result.trace
        # msgspec encodes the cards ~10x faster than jsonify; keys stay in card order.
        response = Response(_encode(result.body), mimetype="application/json")
        fired = result.fired
        del body  # freed here by reference counting, before the collector resumes
    if log.isEnabledFor(logging.INFO):  # the check log.info makes, before building the line
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


def _caller_scope() -> str:
    """The calling EHR (JWT issuer and tenant) the request was authenticated as; "" in auth-off
    mode. Scopes the repeat guard, since patient ids are unique only within one EHR."""
    caller = g.get("caller")
    if caller is None:
        return ""
    return f"{caller.iss}\x1f{caller.tenant or ''}"
