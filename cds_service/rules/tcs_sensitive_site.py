"""AAD 2023 topical therapy guideline (Sidbury et al., JAAD 2023;89:e1-e20) and NICE CG57: avoid
high-potency topical corticosteroids on the face, neck and skin folds; prefer a topical
calcineurin inhibitor there (clinical-rules R-14, R-15, R-23; TCI ages per R-41 labels; sites,
occlusion and infants per §5.2).
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import (
    NON_ECZEMA_DERMATOSIS,
    OCCLUDED_SITES,
    POTENT_TCS_MIN_MONTHS,
    SENSITIVE_SITES,
    TCI_MIN_AGE,
    VERY_POTENT_TCS_MIN_AGE,
    age_text,
    drug_label,
    has_active,
    is_potent_tcs,
    tacrolimus_strength,
    very_potent,
)

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._common import (
    POTENCY_CODES,
    SITE_EVIDENCE_CODES,
    potency_codes,
    potency_label,
    site_evidence_code,
    site_label,
)
from ._topical import STOPPING_STATUSES, real
from .mimics import mimic_orders


def sensitive_site_order(picture: PatientPicture) -> MedicationOrder | None:
    """The draft this rule warns about (for rules that defer to it), before the eczema gate."""
    return picture.memo("sensitive-site-order", lambda: _find(picture)[0])


def _ordering(order: MedicationOrder) -> bool:
    """A draft that orders the steroid (a draft that stops or voids one orders nothing)."""
    return order.is_a("tcs") and real(order) and order.status not in STOPPING_STATUSES


def _find(picture: PatientPicture) -> tuple[MedicationOrder | None, str]:
    tcs = [o for o in picture.drafts if _ordering(o)]
    if not tcs:
        return None, "no topical corticosteroid being ordered among the drafts in scope"
    potent = [o for o in tcs if is_potent_tcs(o)]
    if not potent:
        known = [o for o in tcs if o.drug.us_class is not None or o.drug.uk_potency]
        if not known:
            return None, "potency of the ordered steroid could not be determined"
        return None, f"{drug_label(known[0])} is {potency_label(known[0])}, not potent"
    sited = [o for o in potent if o.sites]
    if not sited:
        return None, "no body site found in the order's site codes or instruction text"
    sensitive = [o for o in sited if o.sites & SENSITIVE_SITES]
    if not sensitive:
        return None, f"sites {', '.join(sorted(sited[0].sites))} are not sensitive sites"
    # §5.1 is per order: a draft for another dermatosis does not hide an eczema draft beside it.
    eczema = [o for o in sensitive if not picture.indication_other(o)]
    return (eczema or sensitive)[0], ""


@rule(
    "tcs-potent-on-sensitive-site",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="age drug site tacrolimus_strength",
    codes={"potency": POTENCY_CODES, "site_evidence": SITE_EVIDENCE_CODES},
)
def potent_tcs_on_sensitive_site(picture: PatientPicture) -> Decision:
    """Warn when a US class I-III (UK potent/very potent) TCS is ordered for a sensitive site."""
    order, why_not = _find(picture)
    if order is None:
        return Silent(why_not)
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    if picture.indication_other(order):
        return Silent("the order's reason is another dermatosis, not eczema")
    if any(order is o for o in mimic_orders(picture)):  # §5.3: the mimic card's advice stands
        return Silent("a tinea, rosacea / perioral dermatitis or scabies card answers this order")
    if _genital_lichen_sclerosus_undecided(picture, order):
        return Silent(
            "genital / perianal site, lichen sclerosus on the problem list and no reason on "
            "the order: the indication cannot be decided"
        )

    age, months = picture.age_years, picture.age_months
    occluded = bool(order.sites & OCCLUDED_SITES)
    variant = _variant(age, months, occluded, very_potent(order))
    suggestions: list[str] = []
    if order.reference:  # a swap needs the draft's id for the delete action
        tci = ["swap-to-tacrolimus", "swap-to-pimecrolimus"]
        if age is None or age < TCI_MIN_AGE:
            suggestions = ["swap-to-hydrocortisone"]
        elif occluded:  # TCI labels advise against occlusion: the mild steroid comes first
            suggestions = ["swap-to-hydrocortisone", *tci]
        else:
            suggestions = [*tci, "swap-to-hydrocortisone"]
    site = site_label(order.sites & SENSITIVE_SITES)
    return Finding(
        rule_id="tcs-potent-on-sensitive-site",
        reason=(
            f"{drug_label(order)} is {potency_label(order)}; site {site} from {order.site_evidence}"
            + (f"; variant {variant}" if variant else "")
        ),
        values={
            "drug": drug_label(order),
            "potency": potency_codes(order),
            "site": site,
            "site_evidence": site_evidence_code(order),
            "age": age_text(picture),
            "tacrolimus_strength": tacrolimus_strength(age),
        },
        orders=(order,),
        suggestions=tuple(suggestions),
        variant=variant,
    )


GENITAL_SITES = frozenset({"genital", "perineum"})  # perineal and perianal skin map to perineum


def _genital_lichen_sclerosus_undecided(picture: PatientPicture, order: MedicationOrder) -> bool:
    """A potent steroid for genital / perineal / perianal skin, no reason on the order, and an
    active lichen sclerosus (or another dermatosis treated with potent steroids there, the
    non-eczema-dermatosis value set) on the problem list beside the eczema: the order may well
    treat the lichen sclerosus (clobetasol is its first-line treatment), so the indication
    cannot be decided and the rule stays silent (clinical-rules §5.1 indication scope)."""
    if not (order.sites & SENSITIVE_SITES) <= GENITAL_SITES:
        return False
    if order.reasons or order.reason_references:
        return False
    return has_active(picture, NON_ECZEMA_DERMATOSIS)


def _variant(age: int | None, months: int | None, occluded: bool, strongest: bool) -> str | None:
    """Card wording by age: no calcineurin inhibitor under 2 years (nor when the age is
    unknown), NICE's infant and child limits named where they apply, occlusion from 2 years."""
    if age is None or months is None:
        return "no-tci"
    if months < POTENT_TCS_MIN_MONTHS:
        return "infant"
    if age < TCI_MIN_AGE:
        return "toddler"
    # tcs-potency-in-young-child defers to this card
    child = strongest and age < VERY_POTENT_TCS_MIN_AGE
    if occluded:
        return "occluded-child" if child else "occluded"
    return "child" if child else None
