"""Which body sites a MedicationRequest is for: its coded dosage sites, else the sites its
instructions name. The costliest detail of an order (the instructions are scanned clause by
clause), built the first time a rule reads `MedicationOrder.sites` (`dosage.py`)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

import msgspec

from cds_service.terminology.sites import named_sites
from cds_service.terminology.sites import text_sites as sites_in_text
from cds_service.terminology.terminology import MEMO_ENTRIES, MEMO_TEXT

if TYPE_CHECKING:
    from cds_service.terminology import DrugInfo, Terminology

    from .dosage import OrderDetails

log = logging.getLogger(__name__)


class OrderSites(msgspec.Struct, frozen=True):
    """The body sites an order is for (the costliest detail: the instructions are scanned)."""

    sites: frozenset[str] = frozenset()
    site_evidence: str | None = None  # "the coded body site" or "the instructions"


def read_sites(found: OrderDetails, terminology: Terminology, drug: DrugInfo) -> OrderSites:
    """Body sites from the coded sites, else from the instructions, else from the order's
    reason ("Eczematous dermatitis of right upper eyelid" with "apply to affected area": the
    affected area is the eyelid); and which it was, worded for the prescriber (card text
    quotes it)."""
    if found.site_codings:
        coded = terminology.body_sites([(s, c) for s, c, _ in found.site_codings], None)
        if coded:
            return OrderSites(coded, "the coded body site")
    instruction = found.instruction_text
    if instruction and terminology.body_sites((), instruction):
        if len(instruction) <= MEMO_TEXT:  # past orders repeat a handful of sigs
            sites = _instruction_sites(terminology, drug.ingredient, instruction)
        else:
            sites = _instruction_sites.__wrapped__(terminology, drug.ingredient, instruction)
        if sites:
            return OrderSites(sites, "the instructions")
    reasons = "; ".join(d for _, _, d in found.reason_codings if d)[:MEMO_TEXT]
    sites = terminology.body_sites((), reasons) if reasons else frozenset()
    return reason_sites(sites, instruction)


def reason_sites(sites: frozenset[str], instruction: str | None) -> OrderSites:
    """The sites of the order's reason, for an order whose instructions name none of its own,
    less any they name at all: those they exclude ("not on face") or give to another drug."""
    if sites:  # most orders' reasons name no site: no need to read the instructions again
        sites -= named_sites(instruction)
    return OrderSites(sites, REASON_EVIDENCE) if sites else OrderSites()


REASON_EVIDENCE = "the order's reason"


@lru_cache(maxsize=MEMO_ENTRIES)
def _instruction_sites(
    terminology: Terminology, ingredient: str | None, instruction: str
) -> frozenset[str]:
    """Sites named in an order's instructions; depends on the drug's ingredient only.
    A clause naming another drug gives that drug's site: "(use hydrocortisone 1% on face)"."""
    return sites_in_text(
        instruction, lambda clause: _names_other_drug(terminology, ingredient, clause)
    )


def sites(found: OrderDetails, terminology: Terminology, drug: DrugInfo) -> OrderSites:
    """`read_sites`; an unreadable instruction leaves them empty (and is logged)."""
    try:
        return read_sites(found, terminology, drug)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        log.info("order sites unreadable: %s", type(exc).__name__)
        return OrderSites()


def _names_other_drug(terminology: Terminology, ingredient: str | None, clause: str) -> bool:
    """Does a clause of this order's instructions name another drug and not this one?

    Emollients do not count: "apply to face after moisturiser" is this order's site.
    """
    if ingredient is None:
        return False
    own = ingredient.split()[0]
    if own in clause:
        return False
    other = terminology.classify_drug((), clause)
    return (
        other.ingredient is not None
        and other.ingredient.split()[0] != own
        and "emollient" not in other.drug_classes
    )
