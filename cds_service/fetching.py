"""The fetch stage of a hook call: the request's prefetch, completed from its FHIR server.

Only this stage does network I/O (through ``cds_service/fhir/``); ``pipeline.py`` runs it.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from cds_service.errors import PreconditionFailed
from cds_service.fhir import (
    Deadline,
    FhirClient,
    PrefetchUnavailable,
    ResolvedData,
    client_for_request,
    resolve_medications,
    resolve_prefetch,
)
from cds_service.fhir.allow import ServerPolicy, is_open_server
from cds_service.fhir.concurrency import GRACE_SECONDS
from cds_service.fhir.session import CountingSession, HttpSession
from cds_service.runtime import Runtime
from cds_service.services import ESSENTIAL, ServiceDefinition

log = logging.getLogger("cds_service.pipeline")
RULES_RESERVE_SECONDS = 0.1  # picture, rules and cards: milliseconds, with room to spare


@dataclass
class Fetched:
    """The request's data: by prefetch key, flat, and the medications its orders name."""

    data: ResolvedData
    resources: list[dict[str, Any]]  # deferred Observations (still bytes) are not among them
    medications: dict[str, dict[str, Any]]


def fetch(
    rt: Runtime, service: ServiceDefinition, request: dict[str, Any], session: HttpSession | None
) -> Fetched:
    """Prefetch, completed from the FHIR server when a key is missing, and the medications."""
    # FHIR I/O ends early enough that a fetch finishing in its grace period, the rules and the
    # cards still fit the hook's deadline.
    budget = rt.settings.hook_deadline_seconds
    deadline = Deadline(max(budget / 2, budget - GRACE_SECONDS - RULES_RESERVE_SECONDS))
    if session is None:  # the hook passes its session: the allow list is parsed only here
        owned: CountingSession | nullcontext[HttpSession] = CountingSession(
            ServerPolicy(rt.settings.fhir_server_allow)
        )
    else:
        owned = nullcontext(session)
    with owned as session:
        client = _client(rt, request, session)
        try:
            data = resolve_prefetch(
                service.prefetch,
                request,
                required=ESSENTIAL,
                client=client,
                deadline=deadline,
                max_workers=rt.settings.fhir_max_workers,
            )
        except PrefetchUnavailable as exc:
            # Which data is missing, never why: per-key network reasons ("connection failed",
            # "HTTP 404") would make this service a port scanner. The log has them.
            log.warning(
                "required FHIR data unavailable",
                extra={"reasons": {k: exc.problems.get(k, "unavailable") for k in exc.keys}},
            )
            raise PreconditionFailed(
                "Required FHIR data could neither be read from prefetch nor fetched",
                [f"{key}: unavailable" for key in exc.keys],
            ) from exc
        resources = data.plain()
        # The prefetched Bundles and the draftOrders Bundle too: a reference may name a
        # Medication by its entry fullUrl ("urn:uuid:...", an absolute URL).
        drafts = request["context"].get("draftOrders")
        known = resources + _draft_resources(request["context"]) + prefetched_bundles(request)
        if isinstance(drafts, dict) and drafts.get("resourceType") == "Bundle":
            known.append(drafts)
        medications = resolve_medications(
            [r for r in known if r.get("resourceType") == "MedicationRequest"],
            known,
            client=client,
            deadline=deadline,
        )
    return Fetched(data, resources, medications)


def _client(rt: Runtime, body: dict[str, Any], session: HttpSession) -> FhirClient | None:
    """The FHIR client for the request; None (prefetch only, else 412) when it has no usable
    token and its fhirServer is not listed in CDS_FHIR_OPEN_SERVERS, or when it is http:// and
    the operator has listed neither it nor any other server (a token and a chart in clear text)."""
    s = rt.settings
    server = body.get("fhirServer")
    listed = bool(s.fhir_server_allow) or (
        isinstance(server, str) and is_open_server(server.strip(), s.fhir_open_servers)
    )
    client = client_for_request(
        body,
        session=session,
        request_timeout=s.fhir_timeout_seconds,
        max_bytes=s.fhir_max_bytes,
        max_pages=s.fhir_max_pages,
        require_https=not listed,
    )
    if client is None and not listed and str(server).strip()[:7].lower() == "http://":
        log.info("fhirServer not read: http://, and CDS_FHIR_SERVER_ALLOW is not set")
    if client is None or client.has_token or is_open_server(client.base_url, s.fhir_open_servers):
        return client
    log.info("fhirServer not read: no fhirAuthorization token and not in CDS_FHIR_OPEN_SERVERS")
    return None


def prefetched_bundles(request: dict[str, Any]) -> list[dict[str, Any]]:
    prefetch = request.get("prefetch")
    if not isinstance(prefetch, dict):
        return []
    return [
        v for v in prefetch.values() if isinstance(v, dict) and v.get("resourceType") == "Bundle"
    ]


def _draft_resources(context: dict[str, Any]) -> list[dict[str, Any]]:
    bundle = context.get("draftOrders")
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    if not isinstance(entries, list):
        return []
    return [
        e["resource"]
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]
