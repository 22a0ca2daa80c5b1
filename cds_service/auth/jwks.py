"""A cache of EHR public keys fetched from allow-listed ``jku`` URLs only."""

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
    lock: threading.Lock = field(default_factory=threading.Lock)


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
    ) -> None:
        self._session = session if session is not None else cast(HttpSession, requests.Session())
        self._clock = clock
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._min_refresh = min_refresh_seconds
        self._max_age = max_age_seconds
        self._entries: dict[str, _Entry] = {}
        self._entries_lock = threading.Lock()

    def get_key(self, jku: str, kid: str) -> Mapping[str, Any] | None:
        """The JWK with this kid from the set at jku; fetches if unknown or stale, rate-limited."""
        entry = self._entry(jku)
        with entry.lock:
            now = self._clock()
            stale = entry.fetched_at is None or now - entry.fetched_at >= self._max_age
            if (kid not in entry.keys or stale) and self._may_fetch(entry, now):
                entry.attempted_at = now
                try:
                    entry.keys = self._fetch(jku)
                    entry.fetched_at = now
                except JwksFetchError as exc:
                    # Keep serving the keys we had: an EHR outage must not lock everyone out.
                    log.warning("jwks fetch failed: jku=%s reason=%s", jku, exc)
            return entry.keys.get(kid)

    def _entry(self, jku: str) -> _Entry:
        with self._entries_lock:
            return self._entries.setdefault(jku, _Entry())

    def _may_fetch(self, entry: _Entry, now: float) -> bool:
        return entry.attempted_at is None or now - entry.attempted_at >= self._min_refresh

    def _fetch(self, url: str) -> dict[str, Mapping[str, Any]]:
        if urlsplit(url).scheme != "https":
            raise JwksFetchError("jku is not https")
        try:
            response = self._session.get(
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
