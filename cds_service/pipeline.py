"""A hook call, end to end: validate -> prefetch/fetch -> picture -> rules -> cards."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from cds_service import jsonbody, schemas
from cds_service.cards import RENDER_FAILED, UuidSource, render_card
from cds_service.errors import BadRequest
from cds_service.fetching import Fetched, fetch, prefetched_bundles
from cds_service.fhir import Deadline, ResolvedData
from cds_service.fhir.session import HttpSession
from cds_service.ops import tracing
from cds_service.picture import PatientPicture, build_picture
from cds_service.picture.identity import Owner
from cds_service.rules import Decision, Finding, Rule, evaluate_all
from cds_service.runtime import Runtime
from cds_service.services import ServiceDefinition
from cds_service.triage import triage

log = logging.getLogger(__name__)

UNAVAILABLE_EXTENSION = "org.eczema-cds.unavailable-data"
TRACE_EXTENSION = "org.eczema-cds.decision-trace"
IDENTITY_STEP = "patient-identity"  # the trace step naming resources of another patient
Decisions = list[tuple[Rule, Decision]]


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


def run_hook(
    rt: Runtime,
    service: ServiceDefinition,
    body: Any,
    session: HttpSession | None = None,
    caller: str = "",
) -> HookResult:
    """Answer one validated hook call; raises BadRequest (400) or PreconditionFailed (412).

    A caller-owned ``session`` (e.g. one that counts FHIR requests) is used and not closed.
    Each stage is timed (``HookResult.stages``, the metrics) and, with tracing on, a span.
    """
    t = time.perf_counter()
    with tracing.span("cds.validate"):
        request = validate_request(service, body)
    stages = {"validate": time.perf_counter() - t}
    # Past the FHIR I/O (fetching.py ends it early) the repeat guard's database is not waited on.
    hook_deadline = Deadline(rt.settings.hook_deadline_seconds)
    now = rt.clock()

    t = time.perf_counter()
    with tracing.span("cds.fetch"):
        fetched = fetch(rt, service, request, session)
    stages["fetch"] = time.perf_counter() - t

    t = time.perf_counter()
    with tracing.span("cds.picture"):
        picture, owner = _picture(rt, service, request, fetched, now)
    stages["picture"] = time.perf_counter() - t

    t = time.perf_counter()
    with tracing.span("cds.rules"):
        decisions = evaluate_all(list(service.rules), picture)
        decisions = _repeat_guard(rt, service, request, picture, decisions, caller, hook_deadline)
    stages["rules"] = time.perf_counter() - t

    t = time.perf_counter()
    with tracing.span("cds.render"):
        result = _render(rt, picture, owner, decisions, fetched.data)
    result.stages = stages
    stages["render"] = time.perf_counter() - t
    return result


def _picture(
    rt: Runtime,
    service: ServiceDefinition,
    request: dict[str, Any],
    fetched: Fetched,
    now: datetime,
) -> tuple[PatientPicture, Owner]:
    patient_id = request["context"].get("patientId")
    owner = Owner(patient_id if isinstance(patient_id, str) else None, prefetched_bundles(request))
    picture = build_picture(
        hook=service.hook,
        context=request["context"],
        resources=fetched.data.for_picture(),
        medications=fetched.medications,
        terminology=rt.terminology,
        now=now,
        unavailable=_unavailable(fetched.data),
        owner=owner,
    )
    return picture, owner


def _unavailable(data: ResolvedData) -> list[str]:
    return sorted(k for k, st in data.states.items() if st == "unavailable")


def _repeat_guard(
    rt: Runtime,
    service: ServiceDefinition,
    request: dict[str, Any],
    picture: PatientPicture,
    decisions: Decisions,
    caller: str,
    hook_deadline: Deadline,
) -> Decisions:
    """Drop info cards shown lately (repeats.py), unless the database could not answer in time."""
    if hook_deadline.remaining() <= rt.settings.db_busy_timeout_seconds:
        # a locked database could hold the answer past the deadline: answer without it
        log.warning("repeat guard skipped: too little of the hook deadline left")
        return decisions
    with tracing.span("cds.repeat_guard"):
        return rt.repeats.apply(
            service.hook,
            # Patient ids are only unique within one EHR: the guard's keys are per caller too.
            f"{caller}\x1e{picture.patient_id}"
            if caller and picture.patient_id
            else picture.patient_id,
            decisions,
            lambda rule, f: rt.cards[rule.id].field("indicator", f.variant),
            picture.now,
            instance=request["hookInstance"],
        )


def _render(
    rt: Runtime, picture: PatientPicture, owner: Owner, decisions: Decisions, data: ResolvedData
) -> HookResult:
    """The cards (triaged), the decision trace and what the metrics need."""
    result = HookResult(body={"cards": []})
    result.sources = {key: str(state) for key, state in data.states.items()}
    if owner.dropped:
        result.dropped = [rtype for rtype, _id in owner.dropped]
        why = "names another patient: " + ", ".join(owner.described())
        result.trace.append({"rule": IDENTITY_STEP, "outcome": "dropped", "why": why})
    uuids = UuidSource()  # this response's card and suggestion uuids
    for rule, decision in decisions:
        fired = isinstance(decision, Finding)
        result.trace.append(
            {"rule": rule.id, "outcome": "fired" if fired else "silent", "why": decision.reason}
        )
        if isinstance(decision, Finding):
            template = rt.cards[rule.id]
            card = render_card(template, decision, picture, rt.builders, rt.version, uuids)
            if card is None:  # logged by render_card; costs this card only
                result.trace[-1].update(outcome=RENDER_FAILED, why="the card failed to render")
                continue
            result.body["cards"].append(card)
            result.fired.append(rule.id)
    drafts = {o.reference: o.raw for o in picture.drafts if o.reference}
    result.body["cards"], dropped = triage(result.body["cards"], drafts)
    if dropped:
        result.fired = [r for r in result.fired if r not in dropped]
        for step in result.trace:
            if step["rule"] in dropped:
                step.update(outcome="silent", why=dropped[step["rule"]])
    unavailable = _unavailable(data)
    if unavailable:
        result.body["extension"] = {UNAVAILABLE_EXTENSION: unavailable}
    return result
