"""Suggestion builders: a finding + the picture -> CDS Hooks actions with complete R4 resources.

Each builder is registered under the suggestion key a rule returns and a card file labels,
with the texts it writes (`@builder("order-patch-test", texts={"action": "", "note": ""})`):
its words are in `cards/_suggestions.toml`, checked at start-up (`_texts.py`). Resources are
drafts (`status: draft`) for the patient, RxNorm- or SNOMED-coded, with site, timing and
duration. Modules in this package register themselves; `load_builders()` imports them all.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.rules import Finding
from cds_service.vocabulary import ATOPIC_DERMATITIS

from ._fhir import (
    RXNORM,
    SNOMED,
    as_r4,
    json_copy,
    medication_as_received,
    rxnorm_concept,
    site_concept,
    site_phrase,
    site_words,
    topical_dosage,
)
from ._texts import SHARED, bind, declare, load_texts, say_shared

__all__ = [
    "RXNORM",
    "SNOMED",
    "as_r4",
    "json_copy",
    "medication_as_received",
    "rxnorm_concept",
    "site_concept",
    "site_phrase",
    "site_words",
]

Action = dict[str, Any]
Builder = Callable[[Finding, PatientPicture], list[Action]]


def _subject(picture: PatientPicture) -> dict[str, str]:
    return {"reference": f"Patient/{picture.patient_id}"}


def eczema_reasons(picture: PatientPicture, like: MedicationOrder | None) -> list[dict[str, Any]]:
    """The draft's reason codings that name eczema (at most 3), each a reasonCode for a new
    order: the suggestions treat the eczema, and a draft's reason for another dermatosis
    (psoriasis, lichen sclerosus) would be a wrong reason for them."""
    if like is None:
        return []
    return [
        {"coding": [{k: v for k, v in zip(("system", "code", "display"), c, strict=True) if v}]}
        for c in like.reason_codings
        if c[1] and picture.concept_in(ATOPIC_DERMATITIS, (c,), None)
    ][:3]


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
    only: frozenset[str] | None = None,
) -> dict[str, Any]:
    """A draft MedicationRequest for a topical product, copying the site from `like` (with
    `only`, just those site categories).

    `code` is an RxNorm clinical drug (SCD) from a project value set; an empty code leaves the
    drug as text only (no verified code)."""
    dosage = topical_dosage(instruction, per_day, days)
    site = site_concept(like, only)
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
    reasons = eczema_reasons(picture, like)
    if reasons:
        resource["reasonCode"] = reasons
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


def delete(order: MedicationOrder) -> Action:
    return {
        "type": "delete",
        "description": say_shared("delete"),
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
    resource = as_r4(json_copy(dict(order.raw)))
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
declare(SHARED, {"delete": ""})


def builder(key: str, texts: Mapping[str, str] | None = None) -> Callable[[Builder], Builder]:
    """Register a suggestion builder under its key, with the texts it writes from
    `cards/_suggestions.toml` and each text's placeholders (`{"action": "drug"}`)."""
    declare(key, texts or {})

    def register(fn: Builder) -> Builder:
        if key in _BUILDERS and _BUILDERS[key] is not fn:
            raise ValueError(f"suggestion key registered twice: {key}")
        _BUILDERS[key] = fn
        return fn

    return register


def load_builders(cards_dir: Path | None = None) -> Mapping[str, Builder]:
    """Import every builder module in this package; key -> builder writing the texts of
    `cards_dir/_suggestions.toml` (checked here; default: the service's own cards)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    texts = load_texts(cards_dir) if cards_dir is not None else None
    return {key: bind(key, fn, texts) for key, fn in _BUILDERS.items()}
