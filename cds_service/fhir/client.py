"""A small, bounded FHIR client: one session, a timeout on every call, a deadline, typed errors.

Decisions (house style item 10):
* Redirects and ``next`` links to another scheme/host/port are refused with FhirResponseError,
  never followed: the bearer token must not leave the server it was issued for.
* More pages than ``max_pages`` is an error ("page limit reached"), not a silently short search;
  a ``next`` link back to a page already read ends paging normally (every page has been read).
* ``max_bytes`` bounds the bytes of one ``get`` across all its pages.
* The deadline is enforced per socket read, also while streaming the body. A server dripping
  response *headers* is bounded only per read here; resolve_prefetch / resolve_medications bound
  it by abandoning the call at the deadline (see concurrency.run_all), and closing the hook
  call's session then shuts the abandoned sockets down, ending their threads (session.py).
* Error ``reason`` strings are fixed phrases: never a URL (queries carry patient ids), a token or
  a response body. Exceptions are raised ``from None`` so tracebacks do not chain a requests error
  whose message holds the full URL.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError

from cds_service.fhir.bundle import entry_list, is_bundle, next_link, self_link
from cds_service.fhir.deadline import Deadline
from cds_service.fhir.errors import FhirError, FhirHttpError, FhirResponseError, FhirTimeout
from cds_service.fhir.session import HttpSession
from cds_service.ops import tracing
from cds_service.text import may_hold_surrogates, scrub

_CHUNK = 65_536
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TOKEN = re.compile(r"[\x21-\x7e]+")
# What the service reads (services.TEMPLATES and Medication/{id}): the values a span may name.
TRACED_TYPES = frozenset(
    {"Patient", "Condition", "MedicationRequest", "Medication", "Observation", "CarePlan"}
    | {"ServiceRequest"}
)


class FhirClient:
    """GETs reads and searches from one FHIR server within a deadline; merges searchset pages."""

    def __init__(
        self,
        base_url: str,
        access_token: str | None,
        *,
        session: HttpSession,
        request_timeout: float = 3.0,
        max_bytes: int = 20_000_000,
        max_pages: int = 20,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        found = origin(self.base_url)
        if found is None:
            raise ValueError("base_url must be an http(s) URL")
        self._origin = found
        self._session = session
        self._headers = {"Accept": "application/fhir+json"}
        if isinstance(access_token, str) and access_token:
            if not usable_token(access_token):
                raise ValueError("access_token has characters not allowed in a header")
            self._headers["Authorization"] = f"Bearer {access_token}"
        self._request_timeout = request_timeout
        self._max_bytes = max_bytes
        self._max_pages = max_pages

    def __repr__(self) -> str:
        return f"FhirClient(origin={self._origin!r})"

    @property
    def has_token(self) -> bool:
        """True when requests carry the caller's fhirAuthorization bearer token."""
        return "Authorization" in self._headers

    def get(self, relative: str, deadline: Deadline) -> dict[str, Any]:
        """GET ``{base}/{relative}``; a searchset with ``next`` links comes back as one Bundle."""
        url = f"{self.base_url}/{relative.lstrip('/')}"
        budget = [self._max_bytes]
        first = self._get_json(url, deadline, budget)
        return self._follow(first, deadline, budget, seen={url})

    def follow_next(self, bundle: dict[str, Any], deadline: Deadline) -> dict[str, Any]:
        """Complete an already-fetched (e.g. prefetched) searchset by following its next links."""
        return self._follow(bundle, deadline, [self._max_bytes], seen=set())

    def _follow(
        self, bundle: dict[str, Any], deadline: Deadline, budget: list[int], seen: set[str]
    ) -> dict[str, Any]:
        url = next_link(bundle) if _is_searchset(bundle) else None
        if url is None:
            return bundle
        own = self_link(bundle)
        if own:
            seen.add(urljoin(self.base_url + "/", own))
        entries = list(entry_list(bundle))
        pages = 1
        while url is not None:
            absolute = urljoin(self.base_url + "/", url)
            if origin(absolute) != self._origin:
                # The token must never leave the FHIR server it was issued for.
                raise FhirResponseError("next link to another host refused")
            if absolute in seen:
                break  # a page linking back to a page already read: every page has been read
            if pages >= self._max_pages:
                # Failing beats handing on a silently truncated search to the rules.
                raise FhirResponseError("page limit reached")
            seen.add(absolute)
            page = self._get_json(absolute, deadline, budget)
            if not is_bundle(page):
                raise FhirResponseError("next page not a Bundle")
            entries.extend(entry_list(page))
            pages += 1
            url = next_link(page)
        merged = dict(bundle)
        merged["entry"] = entries
        links = bundle.get("link")
        if isinstance(links, list):
            merged["link"] = [
                link
                for link in links
                if not (isinstance(link, dict) and link.get("relation") == "next")
            ]
        return merged

    def _get_json(self, url: str, deadline: Deadline, budget: list[int]) -> dict[str, Any]:
        body = self._get_body(url, deadline, budget)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise FhirResponseError("not JSON") from None
        if may_hold_surrogates(body):  # as for request bodies: see cds_service/text.py
            data = scrub(data)
        if not (isinstance(data, dict) and isinstance(data.get("resourceType"), str)):
            raise FhirResponseError("not a FHIR resource")
        if not data["resourceType"]:
            raise FhirResponseError("not a FHIR resource")
        return data

    def _get_body(self, url: str, deadline: Deadline, budget: list[int]) -> bytes:
        timeout = min(self._request_timeout, deadline.remaining())
        if timeout <= 0:
            raise FhirTimeout("deadline expired")
        rtype = resource_type(self.base_url, url)  # the type only: never the URL (ids, query)
        with tracing.client_span(
            "fhir.get", method="GET", resource_type=rtype, host=self._origin[1]
        ) as span:
            with self._send(url, timeout) as response:
                status = response.status_code
                span.set(status=status)
                if 300 <= status < 400:
                    raise FhirResponseError("redirect refused")
                if not 200 <= status < 300:
                    raise FhirHttpError(status)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > budget[0]:
                    raise FhirResponseError(f"response over {self._max_bytes} bytes")
                body = self._read_body(response, deadline, budget)
                span.set(bytes=len(body))
                return body

    def _send(self, url: str, timeout: float) -> requests.Response:
        try:
            return self._session.get(
                url,
                headers=tracing.inject(self._headers),  # traceparent: the fhir.get span
                timeout=(timeout, timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise FhirTimeout() from None
        except requests.ConnectionError:
            raise FhirError("connection failed") from None
        except (requests.RequestException, ValueError):  # e.g. a URL requests cannot send
            raise FhirError("request failed") from None

    def _read_body(
        self, response: requests.Response, deadline: Deadline, budget: list[int]
    ) -> bytes:
        # read1 returns after at most one recv and the socket timeout is cut to the time left
        # before each one, so a server dripping bytes cannot outlive the deadline.
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline.remaining()
            if left <= 0:
                raise FhirTimeout()
            _set_socket_timeout(raw, min(self._request_timeout, left))
            try:
                chunk = raw.read1(_CHUNK, decode_content=True)
            except ReadTimeoutError:
                raise FhirTimeout() from None
            except (Urllib3Error, OSError):
                raise FhirError("connection broken") from None
            if not chunk:
                break
            size += len(chunk)
            if size > budget[0]:
                raise FhirResponseError(f"response over {self._max_bytes} bytes")
            chunks.append(chunk)
        budget[0] -= size
        return b"".join(chunks)


def usable_token(token: str) -> bool:
    """True when a bearer token is visible ASCII only, as an HTTP header value needs."""
    return _TOKEN.fullmatch(token) is not None


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, default ports filled in; None if not parseable."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not parts.hostname or port is None:
        return None
    return scheme, parts.hostname.lower(), port


def resource_type(base_url: str, url: str) -> str:
    """The resource type a URL under ``base_url`` reads, if one of ``TRACED_TYPES``, else
    "other" (a paging link such as ``?_getpages=...``): a fixed set, so no URL text leaks."""
    path = url[len(base_url) :] if url.startswith(base_url + "/") else ""
    first = re.split(r"[/?#]", path.lstrip("/"), maxsplit=1)[0]
    return first if first in TRACED_TYPES else "other"


def _is_searchset(bundle: dict[str, Any]) -> bool:
    return is_bundle(bundle) and bundle.get("type") in ("searchset", None)


def _set_socket_timeout(raw: Any, seconds: float) -> None:
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(seconds)
