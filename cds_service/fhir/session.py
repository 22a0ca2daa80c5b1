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
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from cds_service.fhir.allow import ServerPolicy

if TYPE_CHECKING:
    from cds_service.fhir.pool import SessionPool

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

    def prune(self) -> None:
        """Forget the sockets already closed (a kept session's registry must not grow)."""
        with self._lock:
            self._sockets = [s for s in self._sockets if s.fileno() != -1]

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


def vetted_addresses(host: str, port: int, policy: ServerPolicy) -> list[str]:
    """The addresses ``host`` resolves to that ``policy`` allows, in resolver order; OSError
    if none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    allowed = [str(sockaddr[0]) for _f, _t, _p, _n, sockaddr in infos]
    allowed = [a for a in dict.fromkeys(allowed) if policy.allows(host, a)]
    if allowed:
        return allowed
    # The why goes to the log only: the 412 must not tell a caller which addresses answer.
    log.warning("fhirServer refused: %r resolves to no address CDS_FHIR_SERVER_ALLOW allows", host)
    raise OSError("address not allowed")


def tracking_adapter(
    registry: SocketRegistry, policy: ServerPolicy | None = None, connections: int = 10
) -> HTTPAdapter:
    """An HTTPAdapter whose connections put their sockets in ``registry`` and, given a
    ``policy``, connect only to addresses it allows (checked after DNS resolution); it keeps
    at most ``connections`` idle connections per server."""

    def connection_class(base: type[HTTPConnection]) -> type[HTTPConnection]:
        class Tracked(base):  # type: ignore[valid-type,misc]
            def _new_conn(self) -> socket.socket:
                name: str = self._dns_host  # type: ignore[has-type]  # urllib3 sets it
                addresses = [name]
                if policy is not None:
                    try:  # connect to a vetted address, not whatever a second lookup says
                        addresses = vetted_addresses(self.host, self.port, policy)
                    except OSError as exc:
                        raise NewConnectionError(self, "fhirServer address refused") from exc
                sock = None
                for i, address in enumerate(addresses):  # each in turn, as any client does
                    self._dns_host = address
                    try:
                        sock = super()._new_conn()
                        break
                    except (NewConnectionError, ConnectTimeoutError):
                        if i == len(addresses) - 1:
                            raise
                    finally:
                        # urllib3's `host` reads `_dns_host`: the TLS server name, the
                        # certificate check and later requests' Host header need the name.
                        self._dns_host = name
                assert sock is not None  # the last address's failure was raised
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

    return Adapter(pool_maxsize=connections)


def tracking_session(
    registry: SocketRegistry, policy: ServerPolicy | None = None, connections: int = 10
) -> requests.Session:
    """A requests.Session whose sockets ``registry.shutdown_all()`` ends."""
    session = requests.Session()
    # No HTTP(S)_PROXY or ~/.netrc from the environment: a proxy would be the address the
    # policy vets (not the FHIR server), and would see the caller's bearer token.
    session.trust_env = False
    adapter = tracking_adapter(registry, policy, connections)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class CountingSession:
    """Records one outcome per request: "ok", "http_<status class>", or the error kind.

    With a ``pool`` (`pool.py`), the session is borrowed from it on the first request and given
    back by ``close`` when no request is still waiting for its answer; otherwise, or without a
    pool, ``close`` shuts its sockets down, ending fetches still running on them.
    """

    def __init__(self, policy: ServerPolicy | None = None, pool: SessionPool | None = None) -> None:
        self.outcomes: list[str] = []
        self._policy = policy  # the service passes CDS_FHIR_SERVER_ALLOW's
        self._pool = pool
        self._session: requests.Session | None = None
        self._sockets = SocketRegistry()
        self._first_url = ""
        self._waiting = 0  # requests sent and not yet answered (headers not all read)
        self._lock = threading.Lock()

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET through the session (made now if this is the first request)."""
        return self.request("GET", url, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send the request and note how it ended; exceptions propagate unchanged."""
        with self._lock:
            if self._session is None:
                self._first_url = url
                if self._pool is not None:
                    self._session, self._sockets = self._pool.take(url)
                else:
                    self._session = tracking_session(self._sockets, self._policy)
            self._waiting += 1
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
        finally:
            with self._lock:
                self._waiting -= 1
        status = response.status_code
        self.outcomes.append("ok" if 200 <= status < 300 else f"http_{status // 100}xx")
        return response

    @property
    def opened(self) -> bool:
        """True once a request has been sent."""
        return bool(self._first_url)

    def close(self) -> None:
        """Give the session back to the pool when every request has been answered; else (or
        without a pool) close its connections, ending fetches still running on them."""
        with self._lock:
            session, self._session = self._session, None
            waiting = self._waiting
        if session is None:
            return
        if self._pool is not None and waiting == 0:
            self._pool.give_back(self._first_url, (session, self._sockets))
            return
        self._sockets.shutdown_all()
        session.close()

    def __enter__(self) -> CountingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


HttpSession = requests.Session | CountingSession  # what FhirClient sends its GETs through
