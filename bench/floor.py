"""The framework floor: the same server stack, decoding the body with msgspec, one fixed card.

`make bench` compares a hook call with this app (in process and under gunicorn, which loads
the same `gunicorn.conf.py`: access log, metrics files, workers): whatever a hook call costs
above it is the service's own work. ``gunicorn 'bench.floor:create_floor_app()'`` serves it.
"""

from __future__ import annotations

import msgspec
from flask import Flask, Response, request

from cds_service.gcpause import gc_paused

CARD = msgspec.json.encode(
    {
        "cards": [
            {
                "uuid": "00000000-0000-4000-8000-000000000000",
                "summary": "Potent topical steroid on the eyelids",
                "indicator": "warning",
                "source": {"label": "Eczema CDS", "topic": {"code": "floor"}},
            }
        ]
    }
)


def create_floor_app() -> Flask:
    """Decode the body (msgspec, collector paused as the service runs it), answer `CARD`."""
    app = Flask("floor")

    @app.post("/cds-services/<service_id>")
    def call(service_id: str) -> Response:
        with gc_paused():
            body = msgspec.json.decode(request.get_data(cache=False))
            if not isinstance(body, dict) or "hook" not in body:
                return Response(b'{"error": "bad request"}', 400, mimetype="application/json")
            del body
        return Response(CARD, mimetype="application/json")

    return app
