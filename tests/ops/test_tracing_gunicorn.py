"""CDS_TRACING=otlp under gunicorn, as `make serve` runs it: spans reach an OTLP/HTTP collector.

The collector is a loopback HTTP server that decodes what the exporter posts to /v1/traces.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.conftest import load_fixture
from tests.ops.tracing_support import FIXTURE, PARENT_ID, SERVICE, STAGES, TRACE_ID
from tests.reliability.gunicorn_server import gunicorn_server


class Collector:
    """Spans posted to http://127.0.0.1:<port>/v1/traces, decoded: (name, span, resource)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, Any, dict[str, str]]] = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.add(self.path, body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, path: str, body: bytes) -> None:
        assert path == "/v1/traces"
        request = ExportTraceServiceRequest.FromString(body)
        with self.lock:
            for resource_spans in request.resource_spans:
                resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope in resource_spans.scope_spans:
                    self.spans += [(s.name, s, resource) for s in scope.spans]

    def wait_for(self, name: str, seconds: float = 20.0) -> list[tuple[str, Any, dict[str, str]]]:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with self.lock:
                if any(n == name for n, _s, _r in self.spans):
                    return list(self.spans)
            time.sleep(0.1)
        raise AssertionError(f"no {name} span reached the collector")


@pytest.fixture
def collector() -> Iterator[Collector]:
    found = Collector()
    yield found
    found.httpd.shutdown()
    found.httpd.server_close()


def test_gunicorn_workers_export_the_hook_span_tree_over_otlp(
    tmp_path: Path, collector: Collector
) -> None:
    env = {
        "CDS_TRACING": "otlp",
        "CDS_TRACING_CONTINUE": "true",  # the caller's trace continued (an ingress we trust)
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # milliseconds: export soon after the call
    }
    with gunicorn_server(tmp_path, **env) as (base, _log):
        response = requests.post(
            f"{base}/cds-services/{SERVICE}",
            json=load_fixture(FIXTURE),
            headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"},
            timeout=30,
        )
        assert response.status_code == 200
        spans = collector.wait_for("cds.hook")
    ours = [(n, s, r) for n, s, r in spans if s.trace_id.hex() == TRACE_ID]
    hook = [s for n, s, _r in ours if n == "cds.hook"]
    assert len(hook) == 1 and hook[0].parent_span_id.hex() == PARENT_ID
    stages = sorted((s.start_time_unix_nano, n) for n, s, _r in ours)
    assert [n for _t, n in stages if n != "cds.hook" and n != "cds.repeat_guard"] == STAGES
    under_hook = {n for n, s, _r in ours if s.parent_span_id == hook[0].span_id}
    assert under_hook == set(STAGES)  # on gunicorn's request threads, the stages' parent holds
    assert {r.get("service.name") for _n, _s, r in ours} == {"eczema-cds"}
