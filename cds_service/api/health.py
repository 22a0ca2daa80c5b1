"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from flask import Response, jsonify

from cds_service.api import bp, runtime

log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Alive: the process answers."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Ready: cards loaded, the schema at the code's migration head, and the database can commit
    a write now (behind, locked, read-only, full or down: not ready, since feedback would fail).
    A passed schema check is re-read after `storage.SCHEMA_RECHECK_SECONDS`, not every probe."""
    rt = runtime()
    problem = (rt.store.schema_problem() or rt.store.writable()) if rt.cards else "no cards"
    if problem is not None:
        log.warning("not ready", extra={"reason": problem})
    ok = problem is None
    response = jsonify({"status": "ready" if ok else "not ready", "cards": len(rt.cards)})
    response.status_code = 200 if ok else 503
    return response
