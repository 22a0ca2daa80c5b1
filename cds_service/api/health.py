"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Response, jsonify

from cds_service.api import bp, runtime


@bp.get("/healthz")
def healthz() -> Response:
    """Alive: the process answers."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Ready: cards loaded and the database answers."""
    rt = runtime()
    ok = bool(rt.cards) and rt.store.ping()
    response = jsonify({"status": "ready" if ok else "not ready", "cards": len(rt.cards)})
    response.status_code = 200 if ok else 503
    return response
