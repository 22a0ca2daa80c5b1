"""gunicorn's own answers (before the app runs) are JSON OperationOutcomes that quote nothing
of the request; a 9 kB token fits; a 404 does not echo the service id. Real server, loopback."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import requests

from tests.reliability.gunicorn_server import gunicorn_server


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def test_server_errors_are_json_and_echo_nothing(tmp_path: Path) -> None:
    with gunicorn_server(tmp_path) as (base, _log):
        port = int(base.rsplit(":", 1)[1])
        marker = "MARKER-7f3a"
        cases = {
            400: f"GET /{marker} HTTP/1.1 extra\r\n\r\n".encode(),
            431: (
                f"GET / HTTP/1.1\r\nHost: x\r\nX-{marker}: " + "a" * 20_000 + "\r\n\r\n"
            ).encode(),
        }
        for status, request in cases.items():
            got, headers, body = raw_exchange(port, request)
            assert got == status
            assert headers["content-type"] == "application/json"
            outcome = json.loads(body)
            assert outcome["resourceType"] == "OperationOutcome"
            assert marker not in body.decode()
        token = "a" * 9000  # a 9 kB JWT is a header gunicorn must accept
        response = requests.get(
            f"{base}/cds-services", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 200  # auth off: the token is not read
        response = requests.post(f"{base}/cds-services/{marker}", json={}, timeout=10)
        assert response.status_code == 404 and marker not in response.text


def test_requests_gunicorn_refuses_are_logged_without_their_text(tmp_path: Path) -> None:
    """Before: gunicorn's warning quoted the refused request line ("Invalid HTTP request line:
    'POST /cds-services/x?patient=Jane Doe ...'"), a query string the access log leaves out."""
    with gunicorn_server(tmp_path) as (base, log):
        port = int(base.rsplit(":", 1)[1])
        marker = "MARKER-9c1e"
        refused = [
            f"POST /cds-services/x?name=Jane {marker} HTTP/1.1\r\nHost: x\r\n\r\n",
            f"GET /{marker}\r\n\r\n",
            f"GET /{marker} HTTP/9.9\r\nHost: x\r\n\r\n",
            f"GET / HTTP/1.1\r\nHost: x\r\nX {marker}: 1\r\n\r\n",
        ]
        for request in refused:
            assert raw_exchange(port, request.encode())[0] == 400
        requests.get(f"{base}/healthz", timeout=10)  # the log has caught up
        text = log.read_text()
        assert text.count("Invalid request from") == len(refused), text
        assert marker not in text
