"""FHIR fallback: no prefetch, a loopback FHIR server that takes `delay` seconds per query."""

from __future__ import annotations

import json
import socket
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import charts
from bench.inprocess import SERVICES, post, service_app
from cds_service.ops.cardlog import flush_issued


def _server(body: dict[str, Any], delay: float) -> tuple[ThreadingHTTPServer, list[str], set[int]]:
    """A FHIR server answering reads and searches from the chart's prefetch, `delay` late,
    keeping connections alive; also the resource types asked for and the client ports seen."""
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
    ports: set[int] = set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as FHIR servers do

        def setup(self) -> None:
            super().setup()  # headers and body are two writes: no Nagle wait between them
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            ports.add(self.client_address[1])
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
    return server, seen, ports


def run(size: int, hook: str, delay: float, rounds: int) -> tuple[float, int, float]:
    """Median seconds of a hook call that must fetch everything; queries per call; new
    connections per call after the first (0 when every call reuses the kept ones)."""
    body = charts.chart(size, hook)
    server, seen, ports = _server(body, delay)
    request = dict(body)
    del request["prefetch"]
    request["fhirServer"] = f"http://127.0.0.1:{server.server_address[1]}/fhir"
    raw = charts.encode(request)
    times: list[float] = []
    try:
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
            app = service_app(Path(tmp))
            client = app.test_client()
            path = f"/cds-services/{SERVICES[hook]}"
            post(client, path, raw)
            queries, first_ports = len(seen), len(ports)
            for _ in range(rounds):
                t = time.perf_counter()
                post(client, path, raw)
                times.append(time.perf_counter() - t)
            app.extensions["cds_runtime"].fhir_sessions.close()
            flush_issued(app.extensions["cds_runtime"].store)
            app.extensions["cds_runtime"].store.dispose()
    finally:
        server.shutdown()
    return statistics.median(times), queries, (len(ports) - first_ports) / rounds
