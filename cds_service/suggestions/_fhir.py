"""FHIR R4 pieces the suggestion builders share: the RxNorm concept of a replacement, the
draft's body site (coding and text) carried into the new order, and a received draft made
valid R4 before it is echoed in an `update`."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from cds_service.fhir.medications import contained_medication
from cds_service.picture import MedicationOrder
from cds_service.rules._topical import sites_listed
from cds_service.terminology.sites import coded_sites

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
_ATOMS = frozenset({str, int, float, bool, type(None)})


def json_copy(value: Any) -> Any:
    """A deep copy of decoded JSON (a draft as received): each dict and list new, strings,
    numbers, booleans and null shared (immutable); anything else by `copy.deepcopy`. Several
    times cheaper than `copy.deepcopy`, which memoises every node of the tree."""
    cls = value.__class__
    if cls is dict:
        return {k: v if v.__class__ in _ATOMS else json_copy(v) for k, v in value.items()}
    if cls is list:
        return [v if v.__class__ in _ATOMS else json_copy(v) for v in value]
    return value if cls in _ATOMS else copy.deepcopy(value)


def medication_as_received(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """A MedicationRequest's medication[x] copied for a new order (concept or reference); a
    local reference ("#id") with the contained Medication it names, so that the new order's
    reference resolves inside it. None when there is neither, or a local reference to nothing."""
    for key in ("medicationCodeableConcept", "medicationReference"):
        value = raw.get(key)
        if not isinstance(value, dict):
            continue
        ref = value.get("reference") if key == "medicationReference" else None
        if not (isinstance(ref, str) and ref.startswith("#")):
            return {key: json_copy(value)}
        contained = contained_medication(raw, ref)
        if contained is None:
            return None
        return {"contained": [json_copy(contained)], key: json_copy(value)}
    return None


def rxnorm_concept(code: tuple[str, str], text: str) -> dict[str, Any]:
    """medicationCodeableConcept: the RxNorm code with its display and the exact text."""
    if not code[0]:
        return {"text": text}
    return {"coding": [{"system": RXNORM, "code": code[0], "display": code[1]}], "text": text}


def topical_dosage(text: str, per_day: int, days: int) -> dict[str, Any]:
    """A topical dosageInstruction: `per_day` applications a day for `days` days."""
    return {
        "text": text,
        "timing": {
            "repeat": {
                "frequency": per_day,
                "period": 1,
                "periodUnit": "d",
                "boundsDuration": {
                    "value": days,
                    "unit": "days",
                    "system": "http://unitsofmeasure.org",
                    "code": "d",
                },
            }
        },
        "route": {"coding": [{"system": SNOMED, "code": "6064005", "display": "Topical route"}]},
    }


def site_concept(
    order: MedicationOrder | None, only: frozenset[str] | None = None
) -> dict[str, Any] | None:
    """The draft's body site (coding and text) for a replacement order, or None without one.

    The draft's own `dosageInstruction.site` is kept as written (its codings and text); a site
    found only in the instruction text becomes a text-only concept. With `only` (site
    categories), just those sites: codings of other sites are dropped, so one `site` never
    holds codings of different sites, and the text names only the kept ones."""
    if order is None:
        return None
    if only is not None and order.sites - only:
        keep = order.sites & only
        if not keep:
            return None
        codings = [  # several kept sites: text only (no coding names them all)
            {k: v for k, v in (("system", s), ("code", c), ("display", d)) if v}
            for s, c, d in order.site_codings
            if len(keep) == 1 and c and coded_sites([(s, c)]) == keep
        ][:1]
        words = sites_listed(keep)
        return {"coding": codings, "text": words} if codings else {"text": words}
    raw = _first_dosage(order.raw).get("site")
    coded = [
        {k: v for k, v in (("system", s), ("code", c), ("display", d)) if v}
        for s, c, d in order.site_codings
        if c
    ]
    label = site_phrase(order)
    text = raw.get("text") if isinstance(raw, dict) and isinstance(raw.get("text"), str) else None
    text = (text or "").strip() or label
    if coded:
        return {"coding": coded, "text": text} if text else {"coding": coded}
    return {"text": text} if text else None


def site_phrase(order: MedicationOrder | None) -> str | None:
    """The draft's site as words for an instruction ("eyelids"), None when it has none."""
    if order is None or not (order.sites or order.site_codings):
        return None
    if order.sites:
        return sites_listed(order.sites)
    displays = [d for _, _, d in order.site_codings if d]
    return displays[0].lower() if displays else None


def _first_dosage(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    dosages = raw.get("dosageInstruction") if isinstance(raw, Mapping) else None
    if isinstance(dosages, list) and dosages and isinstance(dosages[0], Mapping):
        return dosages[0]
    return {}


def site_words(order: MedicationOrder | None, only: frozenset[str] | None = None) -> str | None:
    """The draft's site (with `only`, just those of its sites) as words for an instruction's
    `{site}` ("eyelids"), None without one (the text then names the affected area)."""
    place = site_phrase(order)
    if order is not None and only is not None and order.sites & only:
        place = sites_listed(order.sites & only)
    return place or None


# MedicationRequest elements that are lists in R4 (0..*); the CDS Hooks Sandbox sends
# `category` and `reasonCode` as single objects, and an update must not echo that.
_R4_LISTS = (
    "identifier",
    "category",
    "reasonCode",
    "reasonReference",
    "basedOn",
    "insurance",
    "note",
    "dosageInstruction",
    "detectedIssue",
    "supportingInformation",
)


def as_r4(resource: dict[str, Any]) -> dict[str, Any]:
    """A received draft made valid R4 for an update: single objects where R4 has lists become
    one-item lists, and a missing `intent` (the Sandbox omits it) is `order`."""
    for key in _R4_LISTS:
        if isinstance(resource.get(key), dict):
            resource[key] = [resource[key]]
    dosages = resource.get("dosageInstruction") or []
    if not isinstance(dosages, list):
        # Echoing `true` or 3 back would be no R4 resource: no update for such a draft.
        raise ValueError("dosageInstruction is not a list")
    for dosage in dosages:
        for key in ("doseAndRate", "additionalInstruction"):
            if isinstance(dosage, dict) and isinstance(dosage.get(key), dict):
                dosage[key] = [dosage[key]]
    if resource.get("resourceType") == "MedicationRequest":
        resource.setdefault("intent", "order")
    return resource
