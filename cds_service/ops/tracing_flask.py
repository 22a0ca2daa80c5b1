"""The ``cds.hook`` span around each hook call, opened before authentication runs.

Installed by ``create_app`` only while tracing is on (``cds_service/ops/tracing.py``). The span
starts in a ``before_request`` registered ahead of the auth check, so ``cds.auth`` and every
pipeline stage are its children, gets the response status in ``after_request`` (error
responses included) and ends in ``teardown_request``, which runs whatever happened.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from flask import Flask, Response, g, request

from cds_service.hookcall import current as current_call
from cds_service.ops import tracing

HOOK_ENDPOINT = "cds.call_service"


def init_tracing(app: Flask, hooks: Mapping[str, str], version: str) -> None:
    """Open a ``cds.hook`` span per hook call; ``hooks`` maps each service id to its hook."""

    @app.before_request
    def _open_hook_span() -> None:
        if request.endpoint != HOOK_ENDPOINT or request.method != "POST":
            return
        service = str((request.view_args or {}).get("service_id"))
        hook = hooks.get(service)
        current = tracing.server_span(
            "cds.hook",
            request.headers,
            service=service if hook else "unknown",  # never echo an unknown path segment
            hook=hook,
            catalogue=version,
        )
        current.__enter__()
        g.trace_span = current

    @app.after_request
    def _hook_outcome(response: Response) -> Response:
        current = g.get("trace_span")
        if current is not None:
            call = current_call()
            result = call.result if call is not None else None
            current.set(
                status=response.status_code,
                cards=len(result.body["cards"]) if result is not None else 0,
                hook_instance=uuid_or_none(call.instance if call is not None else None),
            )
        return response

    @app.teardown_request
    def _close_hook_span(_exc: BaseException | None) -> None:
        current = g.pop("trace_span", None)
        if current is not None:
            current.__exit__(None, None, None)


def uuid_or_none(value: object) -> str | None:
    """``hookInstance`` when it is a UUID (CDS Hooks says it is; the schema is lenient).

    It is random per call and already in the "hook answered" log line, so it ties a trace to
    that line and to the EHR's own records without saying anything about the patient. A value
    that is not a UUID could be anything an EHR chose to put there, so it is left out.
    """
    if not isinstance(value, str):
        return None
    if _CANONICAL.fullmatch(value):  # what str(uuid.UUID(value)) gives back unchanged
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
