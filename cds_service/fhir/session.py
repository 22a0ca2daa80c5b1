"""An HTTP session for FHIR reads, made on first use, that notes every request's outcome.

Most hook calls carry complete prefetch and never reach the FHIR server, so the underlying
``requests.Session`` (two adapters and their connection pools) is built only when the first
request goes out. Outcomes are kept for the metrics, never URLs.

Every socket the session opens is remembered, and ``close`` shuts them all down, also those a
thread is still blocked on: a fetch abandoned at the deadline (a server dripping its headers
never trips a per-read timeout) then ends at once, releasing its thread and socket, instead of
living as long as the server keeps dripping.
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from cds_service.fhir.allow import ServerPolicy

log = logging.getLogger(__name__)


class SocketRegistry:
    """The sockets of one session's connections, shut down together."""

    def __init__(self) -> None:
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.closed = False

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            closed = self.closed
        if closed:  # connected after close: that fetch must not go on either
            _shutdown(sock)

    def shutdown_all(self) -> None:
        with self._lock:
            self.closed = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: no TLS state is touched from this thread,
    # the blocked reader just sees the connection end. A closed socket has no descriptor, so
    # this can never hit a descriptor number reused by another connection.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def vetted_address(host: str, port: int, policy: ServerPolicy) -> str:
    """The first address ``host`` resolves to that ``policy`` allows; OSError if none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if policy.allows(host, address):
            return address
    # The why goes to the log only: the 412 must not tell a caller which addresses answer.
    log.warning("fhirServer refused: %r resolves to no address CDS_FHIR_SERVER_ALLOW allows", host)
    raise OSError("address not allowed")


def tracking_adapter(registry: SocketRegistry, policy: ServerPolicy | None = None) -> HTTPAdapter:
    """An HTTPAdapter whose connections put their sockets in ``registry`` and, given a
    ``policy``, connect only to addresses it allows (checked after DNS resolution)."""

    def connection_class(base: type[HTTPConnection]) -> type[HTTPConnection]:
        class Tracked(base):  # type: ignore[valid-type,misc]
            def _new_conn(self) -> socket.socket:
                if policy is not None:
                    try:  # connect to the vetted address, not whatever a second lookup says
                        self._dns_host = vetted_address(self.host, self.port, policy)
                    except OSError as exc:
                        raise NewConnectionError(self, "fhirServer address refused") from exc
                sock = super()._new_conn()
                registry.add(sock)  # plain TCP (a TLS handshake runs on it)
                return sock

            def connect(self) -> None:
                super().connect()
                registry.add(self.sock)  # the TLS socket that replaced it, if any

        return Tracked

    pools = {
        "http": type(
            "Pool", (HTTPConnectionPool,), {"ConnectionCls": connection_class(HTTPConnection)}
        ),
        "https": type(
            "Pool", (HTTPSConnectionPool,), {"ConnectionCls": connection_class(HTTPSConnection)}
        ),
    }

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    return Adapter()


def tracking_session(
    registry: SocketRegistry, policy: ServerPolicy | None = None
) -> requests.Session:
    """A requests.Session whose sockets ``registry.shutdown_all()`` ends."""
    session = requests.Session()
    # No HTTP(S)_PROXY or ~/.netrc from the environment: a proxy would be the address the
    # policy vets (not the FHIR server), and would see the caller's bearer token.
    session.trust_env = False
    adapter = tracking_adapter(registry, policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class CountingSession:
    """Records one outcome per request: "ok", "http_<status class>", or the error kind."""

    def __init__(self, policy: ServerPolicy | None = None) -> None:
        self.outcomes: list[str] = []
        self._policy = policy  # the service passes CDS_FHIR_SERVER_ALLOW's
        self._session: requests.Session | None = None
        self._sockets = SocketRegistry()

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET through the session (made now if this is the first request)."""
        return self.request("GET", url, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send the request and note how it ended; exceptions propagate unchanged."""
        if self._session is None:
            self._session = tracking_session(self._sockets, self._policy)
        try:
            response = self._session.request(method, url, **kwargs)
        except requests.Timeout:
            self.outcomes.append("timeout")
            raise
        except requests.ConnectionError:
            self.outcomes.append("connection_error")
            raise
        except Exception:
            self.outcomes.append("error")
            raise
        status = response.status_code
        self.outcomes.append("ok" if 200 <= status < 300 else f"http_{status // 100}xx")
        return response

    @property
    def opened(self) -> bool:
        """True once a request has been sent."""
        return self._session is not None

    def close(self) -> None:
        """Close the connections, if any were opened, ending fetches still running on them."""
        if self._session is not None:
            self._sockets.shutdown_all()
            self._session.close()

    def __enter__(self) -> CountingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


HttpSession = requests.Session | CountingSession  # what FhirClient sends its GETs through
