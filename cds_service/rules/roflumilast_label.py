"""FDA labels for roflumilast cream (Zoryve): 0.15% for atopic dermatitis from 6 years (2024),
0.05% for ages 2 to 5 (2025); 0.3% cream/foam is for psoriasis and seborrheic dermatitis;
contraindicated in moderate-to-severe hepatic impairment (clinical-rules R-28, R-56).
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=ZORYVE
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import active_in, age_text, drug_label, has_active

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._systemic import named

RULE = "roflumilast-label-check"
ADULT_STRENGTH, CHILD_STRENGTH = 0.15, 0.05
ADULT_FROM, CHILD_FROM = 6, 2  # 0.15% from 6 years; 0.05% for 2-5 years
NOT_AD = ("psoriasis", "other-dermatitis")  # 0.3% is labelled for these


def _right_strength(age: int) -> float | None:
    if age >= ADULT_FROM:
        return ADULT_STRENGTH
    return CHILD_STRENGTH if age >= CHILD_FROM else None


def _maybe_other_indication(picture: PatientPicture, order: MedicationOrder) -> bool:
    """The order is (or may be) for psoriasis / seborrheic dermatitis rather than eczema."""
    if picture.reason_in(order, "atopic-dermatitis"):
        return False
    if any(picture.reason_in(order, name) for name in NOT_AD):
        return True
    return any(has_active(picture, name) for name in NOT_AD)


@rule(
    RULE,
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="age drug liver percent right_strength",
    codes={"strength": "known unknown"},
)
def roflumilast_label_check(picture: PatientPicture) -> Decision:
    """Warn on a roflumilast cream strength wrong for the age, or with hepatic impairment."""
    drafts = named((o for o in picture.drafts if o.is_a("pde4-topical")), "roflumilast")
    if not drafts:
        return Silent("no topical roflumilast among the draft orders in scope")
    gated = [o for o in drafts if picture.has_eczema(o)]
    if not gated:
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    order = gated[0]
    strength = order.drug.strength_percent
    age = picture.age_years
    right = _right_strength(age) if age is not None else None
    values: dict[str, str | None] = {
        "drug": drug_label(order),
        "strength": "known" if strength is not None else "unknown",
        **({"percent": f"{strength:g}%"} if strength is not None else {}),
        "age": age_text(picture),
        "right_strength": f"{right:g}%" if right is not None else "",
        "liver": "",
    }
    liver = active_in(picture, "hepatic-impairment")
    if liver:
        values["liver"] = liver[0].text  # None: the card file words its absence
        return _finding(
            order, values, f"{liver[0].text or 'hepatic impairment'} recorded", "hepatic"
        )
    if strength is None or age is None:
        return Silent("roflumilast strength or patient age unknown")
    if strength == right:
        return Silent(
            f"roflumilast {strength:g}% is the labelled AD strength at {age_text(picture)}"
        )
    if strength not in (ADULT_STRENGTH, CHILD_STRENGTH) and _maybe_other_indication(picture, order):
        return Silent(f"roflumilast {strength:g}% may be for psoriasis / seborrheic dermatitis")
    why = f"{strength:g}% at {age_text(picture)}; AD strength for this age: " + (
        f"{right:g}%" if right is not None else "none (not approved under 2 years)"
    )
    return _finding(order, values, why, None if right is not None else "under-2")


def _finding(
    order: MedicationOrder, values: dict[str, str | None], why: str, variant: str | None
) -> Finding:
    if variant is None:
        suggestions: tuple[str, ...] = ("swap-roflumilast-strength",)
    else:
        suggestions = ("delete-roflumilast-draft",)
    return Finding(
        rule_id=RULE,
        reason=f"fired: {values['drug']}: {why}",
        values=values,
        orders=(order,),
        suggestions=suggestions if order.reference else (),
        variant=variant,
    )
