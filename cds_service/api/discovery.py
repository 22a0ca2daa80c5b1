"""GET /cds-services: discovery, generated from the service definitions."""

from __future__ import annotations

from flask import Response, jsonify

from cds_service.api import bp, runtime
from cds_service.cards import CATALOGUE_EXTENSION


@bp.get("/cds-services")
def discovery() -> Response:
    """List the services with their hooks, descriptions and prefetch templates."""
    rt = runtime()
    services = []
    for service in rt.services.values():
        entry = service.discovery()
        entry["extension"] = {CATALOGUE_EXTENSION: rt.version}
        services.append(entry)
    return jsonify({"services": services})
