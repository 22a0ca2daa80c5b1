"""Idle FHIR sessions kept between hook calls, one per fhirServer, per worker process.

A call that falls back to the FHIR server used to open a new TCP (and TLS) connection for every
query and close it at the end of the call. A hook call now borrows the idle session of its
fhirServer (origin: scheme, host, port) and gives it back when it ends, so the next call to the
same server reuses its kept-alive connections.

What stays as it was:
* every socket is still vetted against CDS_FHIR_SERVER_ALLOW when it is opened;
* the deadline and the size caps are the client's (`client.py`): a body read short (cap, error,
  deadline) closes its connection instead of returning it;
* a call that ends with a request still waiting for its answer (a server dripping its headers)
  shuts every socket of its session down, as before, and the session is not kept.

A kept session carries no state of the call that used it: its cookies are cleared (the next
call may be another user's). At most `max_servers` sessions are kept, least recently used
dropped first; each keeps at most `connections` connections. A pool built before a fork is
emptied in the child without touching the parent's sockets.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from urllib.parse import urlsplit

import requests

from cds_service.fhir.allow import ServerPolicy
from cds_service.fhir.session import SocketRegistry, tracking_session

MAX_SERVERS = 8

Origin = tuple[str, str, int | None]
Pooled = tuple[requests.Session, SocketRegistry]


def origin_of(url: str) -> Origin:
    """(scheme, host, port) of a URL, lower-cased; the default port stays None."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class SessionPool:
    """Idle sessions by fhirServer origin, bounded, for one worker process."""

    def __init__(
        self, policy: ServerPolicy, connections: int, max_servers: int = MAX_SERVERS
    ) -> None:
        self.policy = policy
        self.connections = max(1, connections)
        self.max_servers = max_servers
        self._idle: OrderedDict[Origin, Pooled] = OrderedDict()
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.opened = 0  # sessions made (for tests and the benchmark)

    def take(self, url: str) -> Pooled:
        """The idle session for ``url``'s server, else a new one; the caller owns it now."""
        key = origin_of(url)
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's connections are not ours
                self._idle.clear()
                self._pid = os.getpid()
            found = self._idle.pop(key, None)
            if found is None:
                self.opened += 1
        if found is not None:
            return found
        registry = SocketRegistry()
        return tracking_session(registry, self.policy, self.connections), registry

    def give_back(self, url: str, pooled: Pooled) -> None:
        """Keep a session whose requests have all been answered, for the next call."""
        session, registry = pooled
        session.cookies.clear()
        registry.prune()
        key = origin_of(url)
        with self._lock:
            old = self._idle.pop(key, None)
            self._idle[key] = pooled
            dropped = [old] if old is not None else []
            while len(self._idle) > self.max_servers:
                dropped.append(self._idle.popitem(last=False)[1])
        for other, _registry in dropped:
            other.close()

    def __len__(self) -> int:
        return len(self._idle)

    def close(self) -> None:
        """Close every idle session (the service is stopping, or a test ends)."""
        with self._lock:
            idle, self._idle = list(self._idle.values()), OrderedDict()
        for session, _registry in idle:
            session.close()
