"""Condition, Observation and record (CarePlan, ServiceRequest) readers for the picture builder."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cds_service.terminology import Terminology
from cds_service.text import normalise

from . import access as fx
from .memo import Memo, concept_key, sites_key
from .model import ConditionFact, ObservationFact, RecordFact

_CONDITION_DATE = ("onsetDateTime", "onsetPeriod", "onsetString")
_ABATEMENT_DATE = ("abatementDateTime", "abatementPeriod")


def build_observation(res: Mapping[str, Any]) -> ObservationFact:
    """Code, effective date and value of an Observation."""
    qty = fx.obj(res.get("valueQuantity"))
    effective = res.get("effectiveDateTime") or res.get("issued")
    if isinstance(res.get("effectivePeriod"), dict):
        effective = res["effectivePeriod"].get("start")
    concept = res.get("valueCodeableConcept")
    value = fx.number(qty.get("value"))
    text_value = fx.label(res.get("valueString")) or fx.concept_text(concept)
    return ObservationFact(
        codings=fx.codings(res.get("code")),
        effective=fx.parse_date(effective),
        value=value,
        unit=fx.text(qty.get("code")) or fx.text(qty.get("unit")),
        text_value=text_value,
        status=fx.code(res.get("status")),
        code_text=fx.concept_text(res.get("code")),
        # A panel's values are its components or members (a blood pressure's 8480-6 / 8462-4).
        absent=value is None
        and text_value is None
        and bool(res.get("dataAbsentReason"))
        and not (res.get("component") or res.get("hasMember")),
    )


def build_record(res: Mapping[str, Any]) -> RecordFact:
    """CarePlan / ServiceRequest codes (code, category, activity), status and date. Text is
    kept as code-less codings, read by their display: a concept's text ('Patch test', a
    category 'Eczema care plan'), an activity written as text only ('apply moisturiser twice
    daily'), a CarePlan's title and description ('Eczema Action Plan')."""
    concepts = [res.get("code")] + list(fx.dicts(res.get("category")))
    texts: list[str | None] = []
    if res.get("resourceType") == "CarePlan":
        texts += [fx.label(res.get("title")), fx.label(res.get("description"))]
    for activity in fx.dicts(res.get("activity")):
        detail = activity.get("detail")
        if isinstance(detail, dict):
            concepts.append(detail.get("code"))
            texts.append(fx.text(detail.get("description")))
    texts += [fx.label(c.get("text")) for c in concepts if isinstance(c, dict)]
    return RecordFact(
        resource_type=str(res.get("resourceType")),
        codings=tuple(c for concept in concepts for c in fx.codings(concept))
        + tuple((None, None, t) for t in texts if t),
        status=fx.code(res.get("status")),
        authored=fx.parse_date(res.get("authoredOn") or res.get("created")),
    )


def build_condition(res: Mapping[str, Any], terminology: Terminology, memo: Memo) -> ConditionFact:
    """Code, statuses, dates and body sites of a Condition; its code's codings and label once
    per distinct code with `memo` (`memo.py`)."""
    code = res.get("code")
    key = concept_key(code) if code.__class__ is dict else None
    found = memo.conditions.get(key) if key is not None else None
    if found is None:
        found = _code(code)
        if key is not None:
            memo.conditions[key] = found
    codings, label = found
    sites = res.get("bodySite") if "bodySite" in res else None
    return ConditionFact(  # positional, in CONDITION_FIELDS' order (checked below)
        fx.resource_id(res.get("id")),
        codings,
        label,
        _status(res.get("clinicalStatus"), CLINICAL_STATUSES),
        _status(res.get("verificationStatus"), VERIFICATION_STATUSES),
        _first_date(res, _CONDITION_DATE),
        _first_date(res, _ABATEMENT_DATE),
        fx.parse_date(res.get("recordedDate")),
        _body_sites(sites, terminology, memo) if sites is not None else frozenset(),
    )


CLINICAL_STATUSES = frozenset(
    {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
)
VERIFICATION_STATUSES = frozenset(
    {"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}
)
# The SNOMED CT problem statuses of C-CDA documents (converted charts code clinicalStatus so).
_SNOMED_STATUS = {"55561003": "active", "73425007": "inactive", "413322009": "resolved"}


def _status(concept: Any, known: frozenset[str]) -> str | None:
    """A Condition status as its FHIR code: a coding's code in any case ("ACTIVE") or a C-CDA
    SNOMED status, the first `known` one winning; without a known code, a coding's display or
    the concept's text ("Resolved", "Entered in Error", beside a local code "EIE"), or a bare
    string (the STU3 shape), when it names a `known` code. An unknown code with no known words
    is kept as written (no known status); else None."""
    if isinstance(concept, str):
        concept = {"text": concept}
    if not isinstance(concept, dict):
        return None
    codes: list[str] = []
    words = [concept.get("text")]
    for coding in fx.dicts(concept.get("coding")):
        code = fx.text(coding.get("code"))
        if code:
            code = normalise(code.strip())
            codes.append(_SNOMED_STATUS.get(code, code.lower()))
        words.append(coding.get("display"))
    for code in codes:
        if code in known:
            return code
    for word in words:  # a local code ("EIE") with its display ("Entered in Error")
        if isinstance(word, str):
            found = "-".join(normalise(word).lower().replace("_", " ").split())
            if found in known:
                return found
    return codes[0] if codes else None


CONDITION_FIELDS = (
    "id", "codings", "text", "clinical_status", "verification_status", "onset", "abatement",
    "recorded", "body_sites",
)  # fmt: skip
if ConditionFact.__struct_fields__ != CONDITION_FIELDS:  # a reordered model must not load
    raise ImportError("ConditionFact's fields changed: update build_condition")


def _body_sites(sites: Any, terminology: Terminology, memo: Memo) -> frozenset[str]:
    """The site categories of a Condition's bodySite, once per distinct list with `memo`."""
    key = sites_key(sites)
    found = memo.sites.get(key) if key is not None else None
    if found is None:
        site_codings: list[tuple[str | None, str | None]] = []
        site_text: list[str] = []
        for site in fx.dicts(sites):
            site_codings.extend((s, c) for s, c, _d in fx.codings(site))
            if site_label := fx.concept_text(site):  # not the condition's label
                site_text.append(site_label)
        found = (
            terminology.body_sites(site_codings, " ; ".join(site_text) or None)
            if site_codings or site_text
            else frozenset()
        )
        if key is not None:
            memo.sites[key] = found
    return found


def _code(code: Any) -> tuple[tuple[fx.Coding, ...], str | None]:
    """A Condition code's codings and label (its text, else the first display)."""
    codings = fx.codings(code)
    label = fx.label(code.get("text")) if isinstance(code, dict) else None
    if label is None:  # fx.concept_text, without building the codings twice
        label = next((display for _s, _c, display in codings if display), None)
    return codings, label


def _first_date(res: Mapping[str, Any], keys: tuple[str, ...]) -> date | None:
    """The start of the first of `keys` that is present and not empty."""
    for key in keys:
        value = res.get(key)
        if value:
            return _start(value)
    return None


def _start(value: Any) -> date | None:
    if isinstance(value, dict):
        return fx.parse_date(value.get("start"))
    return fx.parse_date(value)
