"""Swap a topical draft for another product at the same site (a sensitive-site swap keeps the
draft for its other sites)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cds_service.picture import PatientPicture
from cds_service.rules import Finding
from cds_service.rules._topical import site_name, sites_listed
from cds_service.terminology import SENSITIVE_SITES
from cds_service.terminology.sites import coded_sites

from . import Action, create, medication_request, replace, site_words, update
from ._texts import SHARED, declare, say_shared

declare(
    SHARED,
    {"order": "drug", "order_only": "drug place rest", "keep_only": "rest", "not_on": "place"},
)


def swap(
    finding: Finding, picture: PatientPicture, dosage: Callable[[str | None], str], **med: Any
) -> list[Action]:
    """Create the replacement topical at the draft's site, then delete the draft; `dosage`
    words the instruction for the site it is ordered for (None: no site on the draft).

    A sensitive-site swap for a draft that also names other sites (face and trunk) must not
    drop them: the replacement is ordered for the sensitive site only, and the draft is kept
    for the other sites. When the draft's sites are all coded, an `update` removes the
    sensitive site from it (its coding, and a note in the instruction); otherwise (sites only
    in free text, which the service does not rewrite) no second action, and the create's
    description tells the prescriber to take the sensitive site out of the draft."""
    order = finding.orders[0]
    sensitive, others = order.sites & SENSITIVE_SITES, order.sites - SENSITIVE_SITES
    if finding.rule_id != "tcs-potent-on-sensitive-site" or not (sensitive and others):
        instruction = dosage(site_words(order))
        resource = medication_request(picture, like=order, instruction=instruction, **med)
        return replace(order, resource, say_shared("order", drug=med["text"]))
    if not order.reference:
        return []
    instruction = dosage(site_words(order, sensitive))
    resource = medication_request(
        picture, like=order, only=sensitive, instruction=instruction, **med
    )
    place, rest = sites_listed(sensitive), site_name(others)
    actions = [
        create(
            resource,
            say_shared("order_only", drug=med["text"], place=place, rest=rest),
        )
    ]
    coded_all = coded_sites([(s, c) for s, c, _ in order.site_codings]) == order.sites

    if coded_all and len(others) == 1:
        note = say_shared("not_on", place=place)

        def remove_site(draft: dict[str, Any]) -> None:
            _remove_site(draft, sensitive, rest, note)

        actions += update(order, remove_site, say_shared("keep_only", rest=rest))
    return actions


def _remove_site(draft: dict[str, Any], sensitive: frozenset[str], rest: str, note: str) -> None:
    """Take the sensitive sites out of a draft's dosages, noting it in the instruction."""
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
            kept_dosages[0]["text"] = f"{text.rstrip()} {note}" if isinstance(text, str) else note
    draft["dosageInstruction"] = kept_dosages
