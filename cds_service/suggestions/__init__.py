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
from collections.abc import Callable, Mapping
from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.rules import Finding
from cds_service.rules._topical import site_name
from cds_service.terminology import SENSITIVE_SITES
from cds_service.terminology.sites import coded_sites

from ._fhir import (
    RXNORM,
    SNOMED,
    as_r4,
    at_site,
    rxnorm_concept,
    site_concept,
    site_phrase,
    topical_dosage,
)

__all__ = ["RXNORM", "SNOMED", "as_r4", "at_site", "rxnorm_concept", "site_concept", "site_phrase"]

Action = dict[str, Any]
Builder = Callable[[Finding, PatientPicture], list[Action]]


def _subject(picture: PatientPicture) -> dict[str, str]:
    return {"reference": f"Patient/{picture.patient_id}"}


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
    dosage = topical_dosage(at_site(instruction, like, only), per_day, days)
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
    resource = as_r4(copy.deepcopy(dict(order.raw)))
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
    """Create the replacement topical at the draft's site, then delete the draft.

    A sensitive-site swap for a draft that also names other sites (face and trunk) must not
    drop them: the replacement is ordered for the sensitive site only, and the draft is kept
    for the other sites. When the draft's sites are all coded, an `update` removes the
    sensitive site from it (its coding, and a note in the instruction); otherwise (sites only
    in free text, which the service does not rewrite) no second action, and the create's
    description tells the prescriber to take the sensitive site out of the draft."""
    order = finding.orders[0]
    sensitive, others = order.sites & SENSITIVE_SITES, order.sites - SENSITIVE_SITES
    if finding.rule_id != "tcs-potent-on-sensitive-site" or not (sensitive and others):
        resource = medication_request(picture, like=order, **med)
        return replace(order, resource, f"Order {med['text']}")
    if not order.reference:
        return []
    resource = medication_request(picture, like=order, only=sensitive, **med)
    place, rest = site_name(sensitive), site_name(others)
    actions = [
        create(
            resource,
            f"Order {med['text']} for the {place} only (the draft stays for the {rest})",
        )
    ]
    coded_all = coded_sites([(s, c) for s, c, _ in order.site_codings]) == order.sites

    def remove_site(draft: dict[str, Any]) -> None:
        note = f"Not on the {place}: ordered separately."
        kept_dosages, dropped = [], False
        for dosage in draft.get("dosageInstruction") or []:
            site = dosage.get("site") if isinstance(dosage, dict) else None
            codings = site.get("coding") if isinstance(site, dict) else None
            if not isinstance(dosage, dict) or not isinstance(codings, list):
                kept_dosages.append(dosage)
                continue

            def is_sensitive(c: Any) -> bool:
                pair = (c.get("system"), c.get("code")) if isinstance(c, dict) else (None, None)
                return bool(coded_sites([pair]) & sensitive)

            kept = [c for c in codings if not is_sensitive(c)]
            if not kept:  # a dosage for the sensitive site only: the new order covers it
                dropped = True
                continue
            if len(kept) < len(codings):  # one coding per site: keep the other site's
                dosage["site"] = {"coding": kept[:1], "text": rest}
                text = dosage.get("text")
                dosage["text"] = f"{text.rstrip()} {note}" if isinstance(text, str) else note
            kept_dosages.append(dosage)
        if dropped and kept_dosages and isinstance(kept_dosages[0], dict):
            text = kept_dosages[0].get("text")
            if not (isinstance(text, str) and note in text):
                kept_dosages[0]["text"] = (
                    f"{text.rstrip()} {note}" if isinstance(text, str) else note
                )
        draft["dosageInstruction"] = kept_dosages

    if coded_all and len(others) == 1:
        actions += update(order, remove_site, f"Keep the draft for the {rest} only")
    return actions


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
