"""Topical calcineurin inhibitor labels (Protopic, Elidel; clinical-rules R-41, R-42, R-25):
tacrolimus 0.1% only from 16 years, no TCI under 2 years, burning/stinging counselling and the
boxed warning at the first TCI order.
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=PROTOPIC
"""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.vocabulary import TACROLIMUS_ADULT_AGE, TCI_MIN_AGE, age_text, drug_label

from . import MEDICATIONS, SELECT, SIGN, Decision, Finding, Silent, rule
from ._topical import real

ADULT_STRENGTH = 0.1  # tacrolimus 0.1% ointment


@rule(
    "tci-age-strength",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="age count drug tacrolimus_strength",
)
def tci_age_strength(picture: PatientPicture) -> Decision:
    """Warn on tacrolimus 0.1% under 16 years and on any TCI under 2 years."""
    tci = [o for o in picture.drafts if o.is_a("tci")]
    if not tci:
        return Silent("no topical calcineurin inhibitor among the draft orders in scope")
    age = picture.age_years
    if age is None:
        return Silent("age unknown (no birth date)")
    if age >= TACROLIMUS_ADULT_AGE:
        return Silent(f"patient is {age} years old: every TCI strength is labelled from 16 years")
    if age < TCI_MIN_AGE:
        order = tci[0]
        if not picture.has_eczema(order):
            return Silent(
                "no active atopic dermatitis / eczema and the order's reason is not eczema"
            )
        return Finding(
            rule_id="tci-age-strength",
            reason=f"{drug_label(order)} ordered for a child of {age} years (under 2)",
            values={"drug": drug_label(order), "age": age_text(picture), "count": len(tci)},
            orders=(order,),
            suggestions=("swap-to-hydrocortisone",) if order.reference else (),
            variant="under-2",
        )
    strong = [
        o
        for o in tci
        if o.drug.ingredient == "tacrolimus"
        and o.drug.strength_percent is not None
        and o.drug.strength_percent >= ADULT_STRENGTH
    ]
    if not strong:
        unknown = [
            o for o in tci if o.drug.ingredient == "tacrolimus" and o.drug.strength_percent is None
        ]
        if unknown:
            return Silent(f"strength of {drug_label(unknown[0])} could not be determined")
        return Silent(f"TCI ordered ({drug_label(tci[0])}) is labelled for age {age}")
    order = strong[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    return Finding(
        rule_id="tci-age-strength",
        reason=f"{drug_label(order)} ordered for a {age}-year-old (0.1% is from 16 years)",
        values={
            "drug": drug_label(order),
            "age": age,
            "count": len(strong),
            "tacrolimus_strength": "0.03%",
        },
        orders=(order,),
        suggestions=("swap-to-tacrolimus",) if order.reference else (),
    )


@rule(
    "tci-first-use-counselling",
    hooks=frozenset({SELECT}),
    needs=frozenset({MEDICATIONS}),
    values="drug",
)
def tci_first_use_counselling(picture: PatientPicture) -> Decision:
    """Counsel on burning/stinging and the boxed warning when a first TCI is selected."""
    tci = [o for o in picture.drafts if o.is_a("tci")]
    if not tci:
        return Silent("no topical calcineurin inhibitor among the selected orders")
    prior = [o for o in picture.history if o.is_a("tci") and real(o)]
    if prior:
        return Silent(f"a TCI is already on record ({drug_label(prior[0])}): not a first use")
    order = tci[0]
    age = picture.age_years
    if age is not None and age < TCI_MIN_AGE:
        return Silent("under 2 years: tci-age-strength advises against any TCI")
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    return Finding(
        rule_id="tci-first-use-counselling",
        reason=f"{drug_label(order)} selected and no earlier TCI order is on record",
        values={"drug": drug_label(order)},
        orders=(order,),
    )
