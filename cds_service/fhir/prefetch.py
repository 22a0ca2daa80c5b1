"""Prefetch: render templates, classify what the EHR sent per key, fetch what it did not send.

Per key (CDS Hooks 2.0.1 "Prefetch templates"; house style item 7):
absent / not an object / OperationOutcome / Bundle with an error or fatal OperationOutcome entry
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

import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, urlsplit

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

__all__ = [
    "KeyState",
    "PrefetchUnavailable",
    "ResolvedData",
    "client_for_request",
    "render_template",
    "resolve_prefetch",
]

_TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_CONTEXT_FIELD = re.compile(r"context\.([A-Za-z_][A-Za-z0-9_]*)")
_USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}


def render_template(template: str, context: Mapping[str, Any]) -> str | None:
    """Fill ``{{context.x}}`` and user tokens with URL-quoted values; None if any is missing."""
    if not isinstance(template, str) or not isinstance(context, Mapping):
        return None
    unresolved = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unresolved
        value = _token_value(match.group(1), context)
        try:
            if value is not None:
                # safe="" quotes "/", "&", "?", "#", "," and "|" too: a value stays one value.
                return quote(value, safe="")
        except UnicodeEncodeError:  # a lone surrogate, which JSON's "\ud800" can carry
            pass
        unresolved = True
        return ""

    rendered = _TOKEN.sub(substitute, template)
    if unresolved or "{{" in rendered or "}}" in rendered:
        return None
    return rendered


def _token_value(token: str, context: Mapping[str, Any]) -> str | None:
    field = _CONTEXT_FIELD.fullmatch(token)
    if field:
        value = context.get(field.group(1))
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None
        # An empty id would turn a read ("Patient/") into a search of every patient.
        return str(value) or None
    resource_type = _USER_TOKENS.get(token)
    user_id = context.get("userId")
    if resource_type is None or not isinstance(user_id, str):
        return None
    found_type, slash, found_id = user_id.partition("/")
    if slash and found_type == resource_type and found_id and "/" not in found_id:
        return found_id
    return None


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
    resources: dict[str, Sequence[dict[str, Any]]] = {}
    states: dict[str, KeyState] = {}
    problems: dict[str, str] = {}
    jobs: dict[str, Callable[[], dict[str, Any]]] = {}
    paged: set[str] = set()

    def unavailable(key: str, reason: str) -> None:
        resources[key], states[key], problems[key] = (), KeyState.UNAVAILABLE, reason

    for key, template in templates.items():
        value = prefetch.get(key, _ABSENT)
        if isinstance(value, msgspec.Raw):  # left undecoded by jsonbody.loads_hook
            value = defer(value)
            if isinstance(value, DeferredBundle):
                resources[key], states[key] = value, KeyState.PROVIDED
                continue
        if value is None:
            resources[key], states[key] = (), KeyState.NULL
        elif is_resource(value) and (found := _provided(value)) is not None:
            if next_link(value) and value["resourceType"] == "Bundle" and client is not None:
                jobs[key] = partial(client.follow_next, value, deadline)
                paged.add(key)
                continue
            resources[key] = found
            bundle = value["resourceType"] == "Bundle"
            states[key] = KeyState.EMPTY if bundle and not resources[key] else KeyState.PROVIDED
            if bundle and next_link(value):
                problems[key] = "next page not followed: no FHIR server"
        else:
            rendered = render_template(template, context)
            if rendered is None:
                unavailable(key, "template token unavailable")
            elif client is None:
                unavailable(key, "no FHIR server")
            else:  # past the deadline, client.get refuses at once without any I/O
                jobs[key] = partial(client.get, rendered, deadline)

    for key, result in run_all(jobs, deadline, max_workers).items():
        if isinstance(result, FhirError):
            unavailable(key, result.reason)
        elif result["resourceType"] == "OperationOutcome":
            unavailable(key, "server returned an OperationOutcome")
        elif result["resourceType"] == "Bundle" and any(map(is_error_outcome, outcomes(result))):
            unavailable(key, "search returned an error OperationOutcome")
        else:
            resources[key] = flatten(result)
            states[key] = KeyState.PROVIDED if key in paged else KeyState.FETCHED

    missing = tuple(sorted(k for k in required if states[k] is KeyState.UNAVAILABLE))
    if missing:
        raise PrefetchUnavailable(missing, {k: problems[k] for k in missing})
    order = list(templates)
    return ResolvedData(
        resources=MappingProxyType({k: resources[k] for k in order}),
        states=MappingProxyType({k: states[k] for k in order}),
        problems=MappingProxyType({k: problems[k] for k in order if k in problems}),
    )


_ABSENT = object()


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _provided(value: Mapping[str, Any]) -> tuple[dict[str, Any], ...] | None:
    """What `flatten` gives for a prefetched resource, or None when it must be fetched instead:
    an OperationOutcome (alone, or an error one in a Bundle: the EHR's query failed) or a
    malformed Bundle."""
    if value["resourceType"] == "OperationOutcome":
        return None
    if value["resourceType"] != "Bundle":
        return (dict(value),)
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
