"""A cache of EHR public keys fetched from allow-listed ``jku`` URLs only.

A key host that answers a byte a second must not hold the service: a fetch runs on its own
thread and callers wait for it at most ``timeout`` seconds in all (headers and body, not per
read); then its sockets are shut down, which ends it. One fetch per URL at a time (callers
arriving meanwhile wait for that one), and at most one per ``min_refresh_seconds``, whatever its
outcome: tokens naming unknown kids cannot make the service a request amplifier, nor each
wait on a slow host.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

import requests

from cds_service.fhir.session import SocketRegistry, tracking_session

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 2.0
DEFAULT_MAX_BYTES = 64 * 1024
# An unknown kid triggers at most one refetch per jku per minute, so a stream of forged
# kids cannot turn this service into a request amplifier against the EHR.
DEFAULT_MIN_REFRESH_SECONDS = 60.0
# Keys are refetched on use after this long, so a key the EHR withdrew stops working.
DEFAULT_MAX_AGE_SECONDS = 3600.0


class JwksFetchError(Exception):
    """The key set could not be fetched or was not a JWK Set."""


class HttpSession(Protocol):
    """The slice of ``requests.Session`` the cache uses (tests pass a fake)."""

    def get(self, url: str, **kwargs: Any) -> Any: ...


@dataclass
class _Entry:
    keys: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    fetched_at: float | None = None  # last successful fetch
    attempted_at: float | None = None  # last fetch attempt, successful or not
    lock: threading.Lock = field(default_factory=threading.Lock)  # held briefly, never over I/O
    flight: _Flight | None = None  # the fetch running now


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    sockets: SocketRegistry = field(default_factory=SocketRegistry)


class JwksCache:
    """Fetches and caches JWK Sets by URL; callers must pass only allow-listed URLs."""

    def __init__(
        self,
        session: HttpSession | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        min_refresh_seconds: float = DEFAULT_MIN_REFRESH_SECONDS,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        ca_bundle: str | None = None,
        http_allowed: frozenset[str] = frozenset(),
    ) -> None:
        # Without a session each fetch gets its own, whose sockets a timed-out wait shuts down.
        self._session = session
        self._ca_bundle = ca_bundle  # tests trust their loopback key host's certificate
        self._http_allowed = http_allowed  # jku URLs of test-only issuers with allow_http_jku
        self._clock = clock
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._min_refresh = min_refresh_seconds
        self._max_age = max_age_seconds
        self._entries: dict[str, _Entry] = {}
        self._entries_lock = threading.Lock()

    def get_key(self, jku: str, kid: str) -> Mapping[str, Any] | None:
        """The JWK with this kid from the set at jku; fetches if unknown or stale, rate-limited.

        Returns within ``timeout`` seconds whatever the key host does."""
        entry = self._entry(jku)
        with entry.lock:
            now = self._clock()
            stale = entry.fetched_at is None or now - entry.fetched_at >= self._max_age
            if (
                (kid not in entry.keys or stale)
                and entry.flight is None
                and self._may_fetch(entry, now)
            ):
                entry.attempted_at = now
                entry.flight = _Flight()
                threading.Thread(
                    target=self._fly,
                    args=(jku, entry, entry.flight),
                    name="jwks-fetch",
                    daemon=True,
                ).start()
            flight = entry.flight if kid not in entry.keys or stale else None
        if flight is not None and not flight.done.wait(self._timeout):
            flight.sockets.shutdown_all()  # ends the fetch: its thread and socket go now
            log.warning("jwks fetch failed: jku=%s reason=%s", jku, "deadline passed")
        with entry.lock:
            return entry.keys.get(kid)

    def _fly(self, jku: str, entry: _Entry, flight: _Flight) -> None:
        keys: dict[str, Mapping[str, Any]] | None = None
        try:
            keys = self._fetch(jku, flight.sockets)
        except JwksFetchError as exc:
            # Keep serving the keys we had: an EHR outage must not lock everyone out.
            if not flight.sockets.closed:
                log.warning("jwks fetch failed: jku=%s reason=%s", jku, exc)
        except Exception as exc:  # noqa: BLE001 - a fetch thread must always end its flight
            log.warning("jwks fetch failed: jku=%s reason=%s", jku, type(exc).__name__)
        finally:
            with entry.lock:
                if keys is not None and not flight.sockets.closed:
                    entry.keys = keys
                    entry.fetched_at = entry.attempted_at
                entry.flight = None
            flight.done.set()

    def _entry(self, jku: str) -> _Entry:
        with self._entries_lock:
            return self._entries.setdefault(jku, _Entry())

    def _may_fetch(self, entry: _Entry, now: float) -> bool:
        return entry.attempted_at is None or now - entry.attempted_at >= self._min_refresh

    def _fetch(self, url: str, sockets: SocketRegistry) -> dict[str, Mapping[str, Any]]:
        if urlsplit(url).scheme != "https" and url not in self._http_allowed:
            raise JwksFetchError("jku is not https")
        session = self._session
        own = None
        if session is None:
            own = tracking_session(sockets)
            if self._ca_bundle is not None:
                own.verify = self._ca_bundle
            session = cast(HttpSession, own)
        try:
            try:
                response = session.get(
                    url,
                    timeout=self._timeout,
                    allow_redirects=False,
                    stream=True,
                    headers={"Accept": "application/json"},
                )
            except requests.RequestException as exc:
                raise JwksFetchError(type(exc).__name__) from exc
            try:
                if response.status_code != 200:
                    raise JwksFetchError(f"HTTP {response.status_code}")
                body = self._read_capped(response)
            finally:
                response.close()
        finally:
            if own is not None:
                own.close()
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise JwksFetchError("body is not JSON") from exc
        return signing_keys(data)

    def _read_capped(self, response: Any) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_bytes:
            raise JwksFetchError("body too large")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=8192):
                size += len(chunk)
                if size > self._max_bytes:
                    raise JwksFetchError("body too large")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise JwksFetchError(type(exc).__name__) from exc
        return b"".join(chunks)


def signing_keys(data: Any) -> dict[str, Mapping[str, Any]]:
    """Public EC/RSA signing keys with a kid from a fetched JWK Set; other keys are skipped."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise JwksFetchError("not a JWK Set")
    keys: dict[str, Mapping[str, Any]] = {}
    for jwk in data["keys"]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("kty") not in {"EC", "RSA"} or jwk.get("use", "sig") != "sig":
            continue
        if "d" in jwk:  # a private key published by mistake is still not one we verify with
            continue
        keys.setdefault(jwk["kid"], dict(jwk))
    return keys
