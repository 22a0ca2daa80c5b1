"""The vetted address is only where the socket connects: the FHIR server is still addressed by
its name (TLS server name and certificate check, `Host` header), on every request of a kept
connection too. Every real EHR FHIR endpoint is `https://<name>/...` with a certificate for
that name, so a session that checks the certificate against the resolved IP reaches none.
"""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cds_service.fhir.allow import ServerPolicy
from cds_service.fhir.session import SocketRegistry, tracking_session
from tests.auth.slow_keyhost import self_signed
from tests.fhir.fake_fhir import FakeFhirServer, send_bytes

PATIENT = {"resourceType": "Patient", "id": "1"}


@pytest.fixture
def tls_fhir(tmp_path: Path) -> Iterator[tuple[FakeFhirServer, Path]]:
    """The fake FHIR server behind TLS with a certificate for "localhost" only."""
    cert, key = self_signed(tmp_path, "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = FakeFhirServer()
    httpd = server._httpd
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    server.json("/fhir/Patient/1", PATIENT)
    yield server, cert
    server.close()


def test_https_server_certificate_is_checked_against_its_name(
    tls_fhir: tuple[FakeFhirServer, Path],
) -> None:
    fhir, cert = tls_fhir
    session = tracking_session(SocketRegistry(), ServerPolicy(["localhost"]))
    url = f"https://localhost:{fhir.port}/fhir/Patient/1"
    with session:
        for _ in range(2):  # a new connection, then the kept one
            response = session.get(url, timeout=5, verify=str(cert))
            assert response.status_code == 200 and response.json() == PATIENT


def test_host_header_names_the_server_on_a_kept_connection(fhir: FakeFhirServer) -> None:
    fhir.json("/fhir/Patient/1", PATIENT)
    session = tracking_session(SocketRegistry(), ServerPolicy(["localhost"]))
    url = f"http://localhost:{fhir.port}/fhir/Patient/1"
    with session:
        for _ in range(3):
            assert session.get(url, timeout=5).status_code == 200
    assert len({seen.client_port for seen in fhir.seen}) == 1  # one kept connection
    assert [seen.headers["host"] for seen in fhir.seen] == [f"localhost:{fhir.port}"] * 3


def test_a_server_allowed_by_name_is_allowed_again_when_a_kept_connection_reconnects(
    fhir: FakeFhirServer,
) -> None:
    """urllib3 reconnects a dropped kept connection on the same connection object: the policy
    must see the server's name then too, not the address vetted the first time (a private
    address is allowed only because its name is listed)."""
    body = json.dumps(PATIENT).encode()
    fhir.on("/fhir/Patient/1", send_bytes(body, headers={"Connection": "close"}))
    session = tracking_session(SocketRegistry(), ServerPolicy(["localhost"]))
    url = f"http://localhost:{fhir.port}/fhir/Patient/1"
    with session:
        for _ in range(3):
            assert session.get(url, timeout=5).status_code == 200
    assert len({seen.client_port for seen in fhir.seen}) == 3  # a new socket each time


def test_every_allowed_address_is_tried_in_turn(
    fhir: FakeFhirServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As any HTTP client does: a name whose first address does not answer ("localhost" as
    ::1 first, the server listening on 127.0.0.1 only) is reached on its next one."""
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "fhir.test":
            return real(host, port, *args, **kwargs)
        dead, alive = (real(a, port, *args, **kwargs)[0] for a in ("127.0.0.2", "127.0.0.1"))
        return [dead, alive]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    fhir.json("/fhir/Patient/1", PATIENT)
    session = tracking_session(SocketRegistry(), ServerPolicy(["fhir.test"]))
    with session:
        response = session.get(f"http://fhir.test:{fhir.port}/fhir/Patient/1", timeout=5)
    assert response.status_code == 200
    assert [seen.headers["host"] for seen in fhir.seen] == [f"fhir.test:{fhir.port}"]
