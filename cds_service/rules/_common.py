"""Shared vocabulary for rule modules: class groups, site labels, potency wording."""

from __future__ import annotations

from cds_service.picture import MedicationOrder

US_CLASS_LABEL = {
    1: "US class I (super-high potency)",
    2: "US class II (high potency)",
    3: "US class III (upper mid-strength)",
    4: "US class IV (mid-strength)",
    5: "US class V (lower mid-strength)",
    6: "US class VI (mild)",
    7: "US class VII (least potent)",
}
UK_LABEL = {
    "mild": "mild",
    "moderate": "moderate",
    "potent": "potent",
    "very-potent": "very potent",
}

SITE_LABEL = {
    "face": "face",
    "eyelid": "eyelids",
    "neck": "neck",
    "axilla": "axillae",
    "groin": "groin",
    "genital": "genital skin",
    "perineum": "perineum",
    "skin-fold": "skin folds",
    "nappy": "nappy area",
    "scalp": "scalp",
    "hand": "hands",
}

# Order matters: the most specific sensitive site names the card.
SITE_PRIORITY = (
    "eyelid", "face", "nappy", "genital", "perineum", "groin", "axilla", "neck", "skin-fold",
)  # fmt: skip


POTENCY_CODES = (
    "us-1 us-2 us-3 us-4 us-5 us-6 us-7 uk-mild uk-moderate uk-potent uk-very-potent unknown"
)
SITE_EVIDENCE_CODES = "coded instructions reason order"


def potency_codes(order: MedicationOrder) -> tuple[str, ...]:
    """The potency as far as known, as codes the card file words (`[phrases.potency]`): the US
    class (`us-1`..`us-7`) and the UK potency (`uk-potent`...), or `unknown`."""
    codes = []
    if order.drug.us_class in US_CLASS_LABEL:
        codes.append(f"us-{order.drug.us_class}")
    if order.drug.uk_potency in UK_LABEL:
        codes.append(f"uk-{order.drug.uk_potency}")
    return tuple(codes) or ("unknown",)


def site_evidence_code(order: MedicationOrder) -> str:
    """Where the order's site came from, as a code: `coded` (a coded body site),
    `instructions` (site words in the instructions), `reason` (the order's reason names
    the site) or `order` (none of them)."""
    if not order.site_evidence:
        return "order"
    if order.site_evidence == "the instructions":
        return "instructions"
    return "reason" if order.site_evidence == "the order's reason" else "coded"


def potency_label(order: MedicationOrder) -> str:
    """'US class I (super-high potency); UK very potent' as far as known."""
    parts = []
    if order.drug.us_class is not None:
        parts.append(US_CLASS_LABEL[order.drug.us_class])
    if order.drug.uk_potency:
        parts.append(f"UK {UK_LABEL.get(order.drug.uk_potency, order.drug.uk_potency)}")
    return "; ".join(parts) or "potency unknown"


def site_label(sites: frozenset[str]) -> str:
    """A readable label for the most specific site in `sites`."""
    for site in SITE_PRIORITY:
        if site in sites:
            return SITE_LABEL[site]
    return ", ".join(sorted(SITE_LABEL.get(s, s) for s in sites))
