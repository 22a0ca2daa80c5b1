"""Suggestion builders: a finding + the picture -> CDS Hooks actions with complete R4 resources.

Each builder is registered under the suggestion key a rule returns and a card file labels
(`@builder("swap-to-tacrolimus")`). Resources are drafts (`status: draft`) for the patient,
RxNorm- or SNOMED-coded, with site, timing and duration. Modules in this package register
themselves; `load_builders()` imports them all.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.rules import Finding
from cds_service.rules._topical import site_name

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
_AFFECTED = re.compile(r"\bthe affected areas?\b")
SNOMED = "http://snomed.info/sct"

Action = dict[str, Any]
Builder = Callable[[Finding, PatientPicture], list[Action]]


def _subject(picture: PatientPicture) -> dict[str, str]:
    return {"reference": f"Patient/{picture.patient_id}"}


def site_concept(order: MedicationOrder | None) -> dict[str, Any] | None:
    """The draft's body site (coding and text) for a replacement order, or None without one.

    The draft's own `dosageInstruction.site` is kept as written (its codings and text); a site
    found only in the instruction text becomes a text-only concept."""
    if order is None:
        return None
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
        return site_name(order.sites)
    displays = [d for _, _, d in order.site_codings if d]
    return displays[0].lower() if displays else None


def _first_dosage(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    dosages = raw.get("dosageInstruction") if isinstance(raw, Mapping) else None
    if isinstance(dosages, list) and dosages and isinstance(dosages[0], Mapping):
        return dosages[0]
    return {}


def at_site(instruction: str, order: MedicationOrder | None) -> str:
    """Put the draft's site into an instruction written for "the affected area"."""
    place = site_phrase(order)
    if not place:
        return instruction
    return _AFFECTED.sub(f"the {place}", instruction)


def medication_request(
    picture: PatientPicture,
    *,
    code: tuple[str, str],
    text: str,
    instruction: str,
    per_day: int,
    days: int,
    quantity_g: int | None,
    like: MedicationOrder | None,
) -> dict[str, Any]:
    """A draft MedicationRequest for a topical product, copying the site from `like`.

    `code` is an RxNorm clinical drug (SCD) from a project value set; an empty code leaves the
    drug as text only (no verified code)."""
    dosage: dict[str, Any] = {
        "text": at_site(instruction, like),
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
    site = site_concept(like)
    if site:
        dosage["site"] = site
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": rxnorm_concept(code, text),
        "subject": _subject(picture),
        "authoredOn": picture.today.isoformat(),
        "dosageInstruction": [dosage],
    }
    if like is not None and like.reason_codings:
        resource["reasonCode"] = [
            {"coding": [{k: v for k, v in zip(("system", "code", "display"), c, strict=True) if v}]}
            for c in like.reason_codings
            if c[1]
        ][:3]
    if quantity_g:
        resource["dispenseRequest"] = {
            "quantity": {
                "value": quantity_g,
                "unit": "g",
                "system": "http://unitsofmeasure.org",
                "code": "g",
            }
        }
    return resource


def rxnorm_concept(code: tuple[str, str], text: str) -> dict[str, Any]:
    """medicationCodeableConcept: the RxNorm code with its display and the exact text."""
    if not code[0]:
        return {"text": text}
    return {"coding": [{"system": RXNORM, "code": code[0], "display": code[1]}], "text": text}


def delete(order: MedicationOrder) -> Action:
    return {
        "type": "delete",
        "description": "Remove the draft order",
        "resourceId": order.reference,
    }


def create(resource: dict[str, Any], description: str) -> Action:
    return {"type": "create", "description": description, "resource": resource}


def update(
    order: MedicationOrder, changes: Callable[[dict[str, Any]], None], description: str
) -> list[Action]:
    """An update action: a deep copy of the draft as received, changed by `changes`.

    Nothing for a draft without an `id` or body: the EHR could not tell which order to update."""
    if not order.reference or not order.raw:
        return []
    resource = copy.deepcopy(dict(order.raw))
    changes(resource)
    return [{"type": "update", "description": description, "resource": resource}]


def delete_all(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete every draft order the finding names (several drafts can match one card)."""
    return [delete(o) for o in finding.orders if o.reference]


def delete_first(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft that triggered the card (nothing when it has no id)."""
    order = finding.orders[0] if finding.orders else None
    return [delete(order)] if order is not None and order.reference else []


def replace(order: MedicationOrder, resource: dict[str, Any], description: str) -> list[Action]:
    """Replace a draft: `create` the new order FIRST, then `delete` the draft.

    The CDS Hooks Sandbox applies only the first action of a suggestion (`create` copies the
    medication into its order form; `delete` would only clear it), so the create comes first;
    a client applying every action still replaces the draft exactly once (CDS Hooks has them
    processed like a FHIR transaction: deletes, then creates). A draft without an id cannot be
    deleted (2.0.1: `delete` takes `resourceId`, and no `resource`: logical-model invariant
    cds-resp-2), so nothing is offered.
    """
    if not order.reference:
        return []
    return [create(resource, description), delete(order)]


def swap(finding: Finding, picture: PatientPicture, **med: Any) -> list[Action]:
    """Create the replacement topical at the draft's site, then delete the draft."""
    order = finding.orders[0]
    resource = medication_request(picture, like=order, **med)
    return replace(order, resource, f"Order {med['text']}")


def service_request(
    picture: PatientPicture, code: str | None, display: str, *, note: str | None = None
) -> dict[str, Any]:
    """A draft ServiceRequest (procedure or referral) for the patient; text only without a
    verified SNOMED `code`."""
    concept: dict[str, Any] = {"text": display}
    if code:
        concept = {"coding": [{"system": SNOMED, "code": code, "display": display}], **concept}
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": concept,
        "subject": _subject(picture),
        "authoredOn": picture.today.isoformat(),
    }
    if note:
        resource["note"] = [{"text": note}]
    return resource


_BUILDERS: dict[str, Builder] = {}


def builder(key: str) -> Callable[[Builder], Builder]:
    """Register a suggestion builder under its key."""

    def register(fn: Builder) -> Builder:
        if key in _BUILDERS and _BUILDERS[key] is not fn:
            raise ValueError(f"suggestion key registered twice: {key}")
        _BUILDERS[key] = fn
        return fn

    return register


def load_builders() -> Mapping[str, Builder]:
    """Import every builder module in this package and return key -> builder."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(_BUILDERS)
