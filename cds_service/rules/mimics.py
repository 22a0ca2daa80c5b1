"""Eczema mimics that topical corticosteroids make worse (clinical-rules R-38; seed article 003,
"eczema that will not improve"): tinea (tinea incognito), rosacea and perioral dermatitis on the
face, and scabies. AAD 2023 topical guideline for the non-steroid alternatives; permethrin 5%
cream label (from 2 months).
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.picture import ConditionFact, MedicationOrder, PatientPicture
from cds_service.vocabulary import FACE_SITES, TCI_MIN_AGE, active_in, drug_label, eczema_drafts

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._common import SITE_EVIDENCE_CODES, site_evidence_code, site_label
from ._redflags import condition_label, days_ago

PERMETHRIN_MIN_MONTHS = 2  # Elimite label: not under 2 months
CHILD_DOSE_AGE = 12  # under 12: a 30 g tube covers two applications
RECENT_SCABICIDE = timedelta(days=28)


def _condition_ref(condition_id: str | None) -> str:
    return f"Condition/{condition_id}" if condition_id else ""


Found = tuple[MedicationOrder, list[ConditionFact]] | str  # the order and condition, or why not


def _steroid_with(
    picture: PatientPicture, value_set: str, missing: str
) -> tuple[list[MedicationOrder], list[ConditionFact]] | str:
    """(eczema TCS drafts, active conditions of `value_set`), or why not."""
    drafts = eczema_drafts(picture, "tcs")
    if not drafts:
        return "no topical corticosteroid draft for a patient with eczema"
    found = list(active_in(picture, value_set))
    return (drafts, found) if found else missing


def _tinea(picture: PatientPicture) -> Found:
    both = _steroid_with(picture, "tinea", "no active tinea / dermatophytosis on record")
    if isinstance(both, str):
        return both
    drafts, tinea = both
    return drafts[0], tinea


def _rosacea(picture: PatientPicture) -> Found:
    both = _steroid_with(
        picture, "rosacea-perioral", "no active rosacea or perioral dermatitis on record"
    )
    if isinstance(both, str):
        return both
    drafts, rosacea = both
    facial = [o for o in drafts if o.sites & FACE_SITES]
    if not facial:
        sited = [o for o in drafts if o.sites]
        if not sited:
            return "no body site found in the steroid order's site codes or text"
        return f"steroid ordered for {', '.join(sorted(sited[0].sites))}, not the face"
    return facial[0], rosacea


def _scabies(picture: PatientPicture) -> Found:
    both = _steroid_with(picture, "scabies", "no active scabies on record")
    if isinstance(both, str):
        return both
    drafts, scabies = both
    for other in picture.orders_in("scabicide"):
        if not other.is_active_or_draft:
            continue
        age_days = days_ago(picture, other.authored_on)
        if other.is_draft or (age_days is not None and age_days <= RECENT_SCABICIDE.days):
            return f"scabies is being treated: {drug_label(other)} ordered"
    return drafts[0], scabies


def mimic_orders(picture: PatientPicture) -> list[MedicationOrder]:
    """The steroid drafts a mimic card (tinea, rosacea / perioral dermatitis, scabies) answers
    for: the sensitive-site card stays silent for them (clinical-rules §5.3), since its swap to
    a calcineurin inhibitor or a milder steroid also worsens tinea and rosacea."""

    def compute() -> list[MedicationOrder]:
        found = (f(picture) for f in (_tinea, _rosacea, _scabies))
        return [f[0] for f in found if not isinstance(f, str)]

    return picture.memo("mimic-orders", compute)


@rule(
    "tcs-with-tinea",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="condition condition_ref drug",
)
def tcs_with_tinea(picture: PatientPicture) -> Decision:
    """Warn that a topical steroid worsens an active tinea; swap to a topical antifungal."""
    found = _tinea(picture)
    if isinstance(found, str):
        return Silent(found)
    order, tinea = found
    label = condition_label(tinea, "tinea")
    return Finding(
        rule_id="tcs-with-tinea",
        reason=f"{drug_label(order)} ordered with active {label}",
        values={
            "drug": drug_label(order),
            "condition": label,
            "condition_ref": _condition_ref(tinea[0].id),
        },
        orders=(order,),
        suggestions=("swap-to-clotrimazole",) if order.reference else (),
    )


@rule(
    "tcs-with-rosacea-perioral",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="condition drug site",
    codes={"site_evidence": SITE_EVIDENCE_CODES},
)
def tcs_with_rosacea_perioral(picture: PatientPicture) -> Decision:
    """Warn against a topical steroid on the face with rosacea or perioral dermatitis."""
    found = _rosacea(picture)
    if isinstance(found, str):
        return Silent(found)
    order, rosacea = found
    age = picture.age_years
    suggestions = ["delete-facial-steroid"]
    if age is not None and age >= TCI_MIN_AGE:
        suggestions.append("swap-to-pimecrolimus")
    return Finding(
        rule_id="tcs-with-rosacea-perioral",
        reason=f"{drug_label(order)} for the {site_label(order.sites & FACE_SITES)} "
        f"with active {condition_label(rosacea, 'rosacea')}",
        values={
            "drug": drug_label(order),
            "site": site_label(order.sites & FACE_SITES),
            "site_evidence": site_evidence_code(order),
            "condition": condition_label(rosacea, "rosacea or perioral dermatitis"),
        },
        orders=(order,),
        suggestions=tuple(suggestions) if order.reference else (),
    )


@rule(
    "tcs-with-scabies",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset({"medications"}),
    values="condition condition_ref drug permethrin_grams",
)
def tcs_with_scabies(picture: PatientPicture) -> Decision:
    """Warn that scabies needs a scabicide, not a steroid; create permethrin 5% cream."""
    found = _scabies(picture)
    if isinstance(found, str):
        return Silent(found)
    order, scabies = found
    months = picture.age_months
    years = picture.age_years
    permethrin_ok = months is not None and months >= PERMETHRIN_MIN_MONTHS
    return Finding(
        rule_id="tcs-with-scabies",
        reason=f"{drug_label(order)} ordered with active {condition_label(scabies, 'scabies')}",
        values={
            "drug": drug_label(order),
            "condition": condition_label(scabies, "scabies"),
            "condition_ref": _condition_ref(scabies[0].id),
            "permethrin_grams": 30 if (years or 0) < CHILD_DOSE_AGE else 60,
        },
        orders=(order,),
        suggestions=("order-permethrin",) if permethrin_ok else (),
        variant=None if permethrin_ok else "no-permethrin",
    )
