"""A hook call, end to end: validate -> prefetch/fetch -> picture -> rules -> cards."""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import msgspec

from cds_service import jsonbody, schemas
from cds_service.cards import render_card
from cds_service.errors import BadRequest, PreconditionFailed
from cds_service.fhir import (
    Deadline,
    FhirClient,
    PrefetchUnavailable,
    client_for_request,
    resolve_medications,
    resolve_prefetch,
)
from cds_service.fhir.allow import ServerPolicy, is_open_server
from cds_service.fhir.concurrency import GRACE_SECONDS
from cds_service.fhir.session import CountingSession, HttpSession
from cds_service.picture import build_picture
from cds_service.picture.identity import Owner
from cds_service.rules import Finding, evaluate_all
from cds_service.runtime import Runtime
from cds_service.services import ESSENTIAL, ServiceDefinition
from cds_service.triage import triage

log = logging.getLogger(__name__)
RULES_RESERVE_SECONDS = 0.1  # picture, rules and cards: milliseconds, with room to spare

UNAVAILABLE_EXTENSION = "org.eczema-cds.unavailable-data"
TRACE_EXTENSION = "org.eczema-cds.decision-trace"
IDENTITY_STEP = "patient-identity"  # the trace step naming resources of another patient


@dataclass
class HookResult:
    """The response body plus what the log and the metrics need (no patient data)."""

    body: dict[str, Any]
    fired: list[str] = field(default_factory=list)
    trace: list[dict[str, str]] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # prefetch key -> KeyState
    dropped: list[str] = field(default_factory=list)  # resourceType of each foreign resource


def validate_request(service: ServiceDefinition, body: Any) -> dict[str, Any]:
    """Envelope + hook-specific context against our JSON Schemas; 400 with paths on failure."""
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    errors = schemas.validation_errors("hook-request", jsonbody.for_schema(body))
    if errors:
        raise BadRequest("Invalid CDS Hooks request", errors)
    if body["hook"] != service.hook:
        raise BadRequest(f"Service {service.id} answers the {service.hook} hook only")
    errors = prefetch_errors(service, body.get("prefetch"))
    if errors:
        raise BadRequest("Invalid CDS Hooks request", errors)
    context_schema = schemas.CONTEXT_SCHEMAS[service.hook]
    errors = schemas.validation_errors(context_schema, body["context"], root="$.context")
    if errors:
        raise BadRequest(f"Invalid {service.hook} context", errors)
    return body


def prefetch_errors(service: ServiceDefinition, prefetch: Any) -> list[str]:
    """The keys this service asks for must hold a FHIR resource (object) or null; any other
    key is ignored whatever it holds (CDS Hooks 2.0.1's own example sends "user": "123")."""
    if not isinstance(prefetch, dict):
        return []
    return [
        f"$.prefetch.{key}: expected object or null, got {schemas.json_type(prefetch[key])}"
        for key in sorted(service.prefetch)
        if key in prefetch and not isinstance(prefetch[key], dict | msgspec.Raw | None)
    ]


def _client(rt: Runtime, body: dict[str, Any], session: HttpSession) -> FhirClient | None:
    """The FHIR client for the request; None (prefetch only, else 412) when it has no usable
    token and its fhirServer is not listed in CDS_FHIR_OPEN_SERVERS."""
    s = rt.settings
    client = client_for_request(
        body,
        session=session,
        request_timeout=s.fhir_timeout_seconds,
        max_bytes=s.fhir_max_bytes,
        max_pages=s.fhir_max_pages,
    )
    if client is None or client.has_token or is_open_server(client.base_url, s.fhir_open_servers):
        return client
    log.info("fhirServer not read: no fhirAuthorization token and not in CDS_FHIR_OPEN_SERVERS")
    return None


def run_hook(
    rt: Runtime,
    service: ServiceDefinition,
    body: Any,
    session: HttpSession | None = None,
    caller: str = "",
) -> HookResult:
    """Answer one validated hook call; raises BadRequest (400) or PreconditionFailed (412).

    A caller-owned ``session`` (e.g. one that counts FHIR requests) is used and not closed.
    """
    t0 = time.perf_counter()
    request = validate_request(service, body)
    stages = {"validate": time.perf_counter() - t0}
    # FHIR I/O ends early enough that a fetch finishing in its grace period, the rules and the
    # cards still fit the hook's deadline; after it the repeat guard's database is not waited on.
    hook_deadline = Deadline(rt.settings.hook_deadline_seconds)
    budget = rt.settings.hook_deadline_seconds
    deadline = Deadline(max(budget / 2, budget - GRACE_SECONDS - RULES_RESERVE_SECONDS))
    now = rt.clock()

    t = time.perf_counter()
    policy = ServerPolicy(rt.settings.fhir_server_allow)
    owned = CountingSession(policy) if session is None else nullcontext(session)
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
        resources = data.plain()  # deferred Observations (still bytes) are not among them
        # The prefetched Bundles too: a reference may name a Medication by its entry fullUrl.
        known = resources + _draft_resources(request["context"]) + _bundles(request)
        medications = resolve_medications(
            [r for r in known if r.get("resourceType") == "MedicationRequest"],
            known,
            client=client,
            deadline=deadline,
        )
    stages["fetch"] = time.perf_counter() - t

    t = time.perf_counter()
    unavailable = sorted(k for k, st in data.states.items() if st == "unavailable")
    patient_id = request["context"].get("patientId")
    owner = Owner(patient_id if isinstance(patient_id, str) else None, _bundles(request))
    picture = build_picture(
        hook=service.hook,
        context=request["context"],
        resources=data.for_picture(),
        medications=medications,
        terminology=rt.terminology,
        now=now,
        unavailable=unavailable,
        owner=owner,
    )
    stages["picture"] = time.perf_counter() - t

    t = time.perf_counter()
    decisions = evaluate_all(list(service.rules), picture)
    if hook_deadline.remaining() > rt.settings.db_busy_timeout_seconds:
        decisions = rt.repeats.apply(
            service.hook,
            # Patient ids are only unique within one EHR: the guard's keys are per caller too.
            f"{caller}\x1e{picture.patient_id}"
            if caller and picture.patient_id
            else picture.patient_id,
            decisions,
            lambda rule, f: rt.cards[rule.id].field("indicator", f.variant),
            now,
            instance=request["hookInstance"],
        )
    else:  # a locked database could hold the answer past the deadline: answer without it
        log.warning("repeat guard skipped: too little of the hook deadline left")
    stages["rules"] = time.perf_counter() - t

    t = time.perf_counter()
    result = HookResult(body={"cards": []}, stages=stages)
    result.sources = {key: str(state) for key, state in data.states.items()}
    if owner.dropped:
        result.dropped = [rtype for rtype, _id in owner.dropped]
        why = "names another patient: " + ", ".join(owner.described())
        result.trace.append({"rule": IDENTITY_STEP, "outcome": "dropped", "why": why})
    for rule, decision in decisions:
        fired = isinstance(decision, Finding)
        result.trace.append(
            {"rule": rule.id, "outcome": "fired" if fired else "silent", "why": decision.reason}
        )
        if isinstance(decision, Finding):
            card = render_card(rt.cards[rule.id], decision, picture, rt.builders, rt.version)
            result.body["cards"].append(card)
            result.fired.append(rule.id)
    drafts = {o.reference: o.raw for o in picture.drafts if o.reference}
    result.body["cards"], dropped = triage(result.body["cards"], drafts)
    if dropped:
        result.fired = [r for r in result.fired if r not in dropped]
        for step in result.trace:
            if step["rule"] in dropped:
                step.update(outcome="silent", why=dropped[step["rule"]])
    if unavailable:
        result.body["extension"] = {UNAVAILABLE_EXTENSION: unavailable}
    stages["render"] = time.perf_counter() - t
    return result


def _bundles(request: dict[str, Any]) -> list[dict[str, Any]]:
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
