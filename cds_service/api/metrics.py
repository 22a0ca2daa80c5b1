"""GET /metrics: Prometheus text format (no patient data; keep it off the public internet)."""

from __future__ import annotations

from flask import Response, current_app

from cds_service.api import bp
from cds_service.ops.metrics import metrics_response


@bp.get("/metrics")
def metrics() -> Response:
    """Counters and histograms of this process (or of every gunicorn worker, multiprocess)."""
    return metrics_response(current_app)
