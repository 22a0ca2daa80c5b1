"""GET /openapi.json: the OpenAPI 3.1 description, generated from the service's JSON Schemas."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from cds_service.api import bp, runtime
from cds_service.openapi import build_openapi


def _document() -> dict[str, Any]:
    cached: dict[str, Any] | None = current_app.extensions.get("cds_openapi")
    if cached is None:
        rt = runtime()
        cached = build_openapi(
            rt.services.values(), version=rt.version, auth=rt.settings.auth_mode == "jwt"
        )
        current_app.extensions["cds_openapi"] = cached
    return cached


@bp.get("/openapi.json")
def openapi() -> Response:
    """The description of discovery, the hook and feedback endpoints and the probes."""
    return jsonify(_document())
