"""Prefetch: render templates, classify what the EHR sent per key, fetch what it did not send.

Per key (CDS Hooks 2.0.1 "Prefetch templates"; house style item 7):
absent / not an object / OperationOutcome / Bundle with an error or fatal OperationOutcome entry
/ a single resource of another type than the template reads (a Patient under ``conditions``)
-> fetch it (an information or warning entry, a searchset's ``search.mode: outcome``, is dropped);
``null`` -> NULL (authoritative "no data", never fetched); Bundle without entries -> EMPTY;
Bundle with a ``next`` link -> pages followed on ``fhirServer`` when there is one;
anything else -> PROVIDED. What could not be had is UNAVAILABLE, with a short reason.

``states`` says where data came from, ``resources`` what it is: a fetched search with no hits is
FETCHED with ``()``; a prefetched Bundle whose further pages we read stays PROVIDED. A fetch that
answers 404 is UNAVAILABLE, not NULL (a wrong fhirServer base also answers 404). Our own searches
may carry warning OperationOutcome entries (dropped); an error or fatal one makes the key
UNAVAILABLE. ``problems`` holds the reason for every UNAVAILABLE key, and also a note for a
PROVIDED key whose Bundle is known to be incomplete (a ``next`` page with no fhirServer to read it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import msgspec

from cds_service.fhir.bundle import (
    flatten,
    is_error_outcome,
    is_resource,
    next_link,
    outcomes,
    split_outcomes,
)
from cds_service.fhir.client import Deadline, FhirClient, FhirError, origin, usable_token
from cds_service.fhir.concurrency import run_all
from cds_service.fhir.deferred import DeferredBundle, defer
from cds_service.fhir.resolved import KeyState, ResolvedData
from cds_service.fhir.session import HttpSession
from cds_service.fhir.templates import render_template

__all__ = [
    "KeyState",
    "PrefetchUnavailable",
    "ResolvedData",
    "client_for_request",
    "render_template",
    "resolve_prefetch",
]


class PrefetchUnavailable(Exception):
    """Required prefetch keys could neither be read from the request nor fetched (HTTP 412)."""

    def __init__(self, keys: tuple[str, ...], problems: Mapping[str, str] | None = None) -> None:
        super().__init__(f"required prefetch unavailable: {', '.join(keys)}")
        self.keys = keys
        self.problems = MappingProxyType(dict(problems or {}))


def resolve_prefetch(
    templates: Mapping[str, str],
    request: Mapping[str, Any],
    *,
    required: frozenset[str],
    client: FhirClient | None,
    deadline: Deadline,
    max_workers: int = 4,
) -> ResolvedData:
    """Resolve every template key from the request's prefetch or, failing that, from the client."""
    unknown = required - templates.keys()
    if unknown:
        raise ValueError(f"required keys without a template: {sorted(unknown)}")
    prefetch = _mapping(request.get("prefetch")) if isinstance(request, Mapping) else {}
    context = _mapping(request.get("context")) if isinstance(request, Mapping) else {}
    found = _Resolution(client, deadline)
    for key, template in templates.items():
        found.take(key, template, prefetch.get(key, _ABSENT), context)
    for key, result in run_all(found.jobs, deadline, max_workers).items():
        found.fetched(key, result)
    missing = tuple(sorted(k for k in required if found.states[k] is KeyState.UNAVAILABLE))
    if missing:
        raise PrefetchUnavailable(missing, {k: found.problems[k] for k in missing})
    order = list(templates)
    return ResolvedData(
        resources=MappingProxyType({k: found.resources[k] for k in order}),
        states=MappingProxyType({k: found.states[k] for k in order}),
        problems=MappingProxyType({k: found.problems[k] for k in order if k in found.problems}),
    )


class _Resolution:
    """Each prefetch key's resources, state and problem, and the FHIR reads still to run."""

    def __init__(self, client: FhirClient | None, deadline: Deadline) -> None:
        self.client, self.deadline = client, deadline
        self.resources: dict[str, Sequence[dict[str, Any]]] = {}
        self.states: dict[str, KeyState] = {}
        self.problems: dict[str, str] = {}
        self.jobs: dict[str, Callable[[], dict[str, Any]]] = {}
        self.paged: set[str] = set()

    def unavailable(self, key: str, reason: str) -> None:
        self.resources[key], self.states[key] = (), KeyState.UNAVAILABLE
        self.problems[key] = reason

    def take(self, key: str, template: str, value: Any, context: Mapping[str, Any]) -> None:
        """The key's prefetched value, or a FHIR read of its rendered template to run."""
        client = self.client
        if isinstance(value, msgspec.Raw):  # left undecoded by jsonbody.loads_hook
            value = defer(value)
            if isinstance(value, DeferredBundle):
                self.resources[key], self.states[key] = value, KeyState.PROVIDED
                return
        if value is None:
            self.resources[key], self.states[key] = (), KeyState.NULL
        elif is_resource(value) and (found := _provided(value, template)) is not None:
            bundle = value["resourceType"] == "Bundle"
            if bundle and next_link(value) and client is not None:
                self.jobs[key] = partial(client.follow_next, value, self.deadline)
                self.paged.add(key)
                return
            self.resources[key] = found
            self.states[key] = KeyState.EMPTY if bundle and not found else KeyState.PROVIDED
            if bundle and next_link(value):
                self.problems[key] = "next page not followed: no FHIR server"
        else:
            rendered = render_template(template, context)
            if rendered is None:
                self.unavailable(key, "template token unavailable")
            elif client is None:
                self.unavailable(key, "no FHIR server")
            else:  # past the deadline, client.get refuses at once without any I/O
                self.jobs[key] = partial(client.get, rendered, self.deadline)

    def fetched(self, key: str, result: dict[str, Any] | FhirError) -> None:
        """What the FHIR server answered for the key."""
        if isinstance(result, FhirError):
            self.unavailable(key, result.reason)
        elif result["resourceType"] == "OperationOutcome":
            self.unavailable(key, "server returned an OperationOutcome")
        elif result["resourceType"] == "Bundle" and any(map(is_error_outcome, outcomes(result))):
            self.unavailable(key, "search returned an error OperationOutcome")
        else:
            self.resources[key] = flatten(result)
            self.states[key] = KeyState.PROVIDED if key in self.paged else KeyState.FETCHED


_ABSENT = object()


def _template_type(template: str) -> str:
    """The resource type a template reads or searches: "Condition?patient=..." -> Condition."""
    return template.split("?", 1)[0].split("/", 1)[0]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _provided(value: Mapping[str, Any], template: str) -> tuple[dict[str, Any], ...] | None:
    """What `flatten` gives for a prefetched resource, or None when it must be fetched instead:
    an OperationOutcome (alone, or an error one in a Bundle: the EHR's query failed), a
    malformed Bundle, or a lone resource of another type than the template asks for (it is
    not the answer to that query: read as an empty one it would let "no result on record"
    decide)."""
    if value["resourceType"] == "OperationOutcome":
        return None
    if value["resourceType"] != "Bundle":
        return (dict(value),) if value["resourceType"] == _template_type(template) else None
    if not isinstance(value.get("entry", []), list):
        return None
    found, error = split_outcomes(value)
    return None if error else found


def client_for_request(
    request: Mapping[str, Any],
    *,
    session: HttpSession,
    request_timeout: float = 3.0,
    max_bytes: int = 20_000_000,
    max_pages: int = 20,
    require_https: bool = False,
) -> FhirClient | None:
    """A client for the request's ``fhirServer`` and ``fhirAuthorization`` token, or None."""
    if not isinstance(request, Mapping):
        return None
    server = request.get("fhirServer")
    if not isinstance(server, str) or not _usable_base(server.strip(), require_https):
        return None
    auth = request.get("fhirAuthorization")
    token = auth.get("access_token") if isinstance(auth, Mapping) else None
    if not isinstance(token, str) or not usable_token(token):
        token = None  # an unsendable token: try without; a secured server then answers 401
    return FhirClient(
        server.strip(),
        token,
        session=session,
        request_timeout=request_timeout,
        max_bytes=max_bytes,
        max_pages=max_pages,
    )


def _usable_base(url: str, require_https: bool) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if origin(url) is None or parts.query or parts.fragment or "@" in parts.netloc:
        return False  # credentials in the URL would be sent alongside (or instead of) the token
    return parts.scheme.lower() == "https" or not require_https
