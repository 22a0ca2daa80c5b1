"""A real HTTP server on 127.0.0.1 whose answers each test programs per path, and responders."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[["_Handler", "FakeFhirServer"], None]


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    path: str  # path and query, as sent
    headers: dict[str, str]  # lower-cased names
    client_port: int  # the same port twice means a reused connection


class FakeFhirServer:
    """ThreadingHTTPServer on port 0; routes match ``path?query`` exactly, else the path alone."""

    def __init__(self) -> None:
        self.routes: dict[str, Responder] = {}
        self.seen: list[Seen] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base = f"{self.origin}/fhir"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def on(self, path: str, responder: Responder) -> None:
        """Answer requests for ``path`` (under the server root, e.g. "/fhir/Patient/1")."""
        self.routes[path] = responder

    def json(self, path: str, body: Any, status: int = 200, delay: float = 0.0) -> None:
        """Answer ``path`` with a JSON body, optionally after a delay."""
        self.on(path, send_json(body, status=status, delay=delay))

    def paths(self) -> list[str]:
        """Paths (with query) requested so far, in order."""
        with self._lock:
            return [s.path for s in self.seen]

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def close(self) -> None:
        self.stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()


class _Server(ThreadingHTTPServer):
    fake: FakeFhirServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out hang up mid-answer; that is the point of those tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        fake = self.server.fake
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake.record(Seen(self.path, headers, self.client_address[1]))
        path_only = self.path.split("?", 1)[0]
        responder = fake.routes.get(self.path) or fake.routes.get(path_only)
        if responder is None:
            send_json({"resourceType": "OperationOutcome"}, status=404)(self, fake)
        else:
            responder(self, fake)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def send_bytes(
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "application/fhir+json",
    delay: float = 0.0,
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
) -> Responder:
    """Answer with ``body``; ``content_length`` may lie to simulate a truncated body."""

    def respond(handler: _Handler, fake: FakeFhirServer) -> None:
        if delay and fake.stop.wait(delay):
            return
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        length = len(body) if content_length is None else content_length
        handler.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
        if length != len(body):
            handler.close_connection = True

    return respond


def send_json(body: Any, *, status: int = 200, delay: float = 0.0) -> Responder:
    """Answer with ``body`` as JSON."""
    return send_bytes(json.dumps(body).encode(), status=status, delay=delay)


def send_chunked(body: bytes, chunk: int = 1000) -> Responder:
    """Answer with chunked transfer encoding, so no Content-Length announces the size."""

    def respond(handler: _Handler, fake: FakeFhirServer) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/fhir+json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(body), chunk):
            piece = body[start : start + chunk]
            handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")

    return respond


def headers_then_hang(content_length: int) -> Responder:
    """Announce a body of ``content_length`` bytes, then send none of it."""

    def respond(handler: _Handler, fake: FakeFhirServer) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(content_length))
        handler.end_headers()
        handler.close_connection = True
        fake.stop.wait(10)

    return respond


def hang() -> Responder:
    """Never answer (until the test ends)."""

    def respond(handler: _Handler, fake: FakeFhirServer) -> None:
        fake.stop.wait(10)
        handler.close_connection = True

    return respond


def drip_headers(interval: float) -> Responder:
    """Send the status line, then one header byte every ``interval`` seconds, never finishing."""

    def respond(handler: _Handler, fake: FakeFhirServer) -> None:
        handler.close_connection = True
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        handler.wfile.flush()
        while not fake.stop.wait(interval):
            handler.wfile.write(b"a")
            handler.wfile.flush()

    return respond


def drip(total: int, interval: float) -> Responder:
    """Send headers at once, then one body byte every ``interval`` seconds."""

    def respond(handler: _Handler, fake: FakeFhirServer) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/fhir+json")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        handler.close_connection = True
        for _ in range(total):
            if fake.stop.wait(interval):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()

    return respond


def bundle(*resources: dict[str, Any], next_url: str | None = None, **extra: Any) -> dict[str, Any]:
    """A searchset Bundle of ``resources`` with an optional next link."""
    result: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", **extra}
    result["entry"] = [{"resource": r} for r in resources]
    if next_url:
        result["link"] = [{"relation": "next", "url": next_url}]
    return result
