"""FHIR fallback: no prefetch, a loopback FHIR server that takes `delay` seconds per query."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import charts
from bench.inprocess import SERVICES, medians, service_app


def _server(body: dict[str, Any], delay: float) -> tuple[ThreadingHTTPServer, list[str]]:
    """A FHIR server answering reads and searches from the chart's prefetch, `delay` late."""
    prefetch = body["prefetch"]
    by_type = {"Patient": prefetch["patient"]}
    for key, resource_type in (
        ("conditions", "Condition"),
        ("medications", "MedicationRequest"),
        ("observations", "Observation"),
        ("careplans", "CarePlan"),
        ("servicerequests", "ServiceRequest"),
    ):
        by_type[resource_type] = prefetch[key]
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            time.sleep(delay)
            path = urlsplit(self.path).path.strip("/").split("/")
            seen.append(path[-2] if len(path) > 1 and path[-2] == "Patient" else path[-1])
            resource = by_type.get(path[-2] if path[-2] == "Patient" else path[-1])
            data = json.dumps(resource or {"resourceType": "Bundle", "type": "searchset"})
            payload = data.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def run(size: int, hook: str, delay: float, rounds: int) -> tuple[float, int]:
    """Median seconds of a hook call that must fetch everything; queries per call."""
    body = charts.chart(size, hook)
    server, seen = _server(body, delay)
    request = dict(body)
    del request["prefetch"]
    request["fhirServer"] = f"http://127.0.0.1:{server.server_address[1]}/fhir"
    raw = charts.encode(request)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = service_app(Path(tmp))
            client = app.test_client()
            path = f"/cds-services/{SERVICES[hook]}"

            def call() -> None:
                response = client.post(path, data=raw, content_type="application/json")
                if response.status_code != 200:
                    raise RuntimeError(f"fallback call answered {response.status_code}")
                response.close()

            seen.clear()
            call()
            queries = len(seen)
            (median,) = medians([call], rounds, budget=10.0)
            app.extensions["cds_runtime"].store.dispose()
    finally:
        server.shutdown()
    return median, queries
