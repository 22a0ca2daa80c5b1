"""Dupilumab, tralokinumab and lebrikizumab labels (Dupixent, Adbry, Ebglyss: conjunctivitis and
keratitis; advise patients to report new or worsening eye symptoms) and seed article 003 ("eye
pain, light sensitivity, or significant eye redness, especially on systemic therapy")
(clinical-rules R-35).
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=DUPIXENT
"""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.vocabulary import active_in, drug_label, is_current

from . import MEDICATIONS, VIEW, Decision, Finding, Silent, rule
from ._systemic import named

RULE = "eye-symptoms-on-biologic"
EYE_BIOLOGICS = ("dupilumab", "tralokinumab", "lebrikizumab")


@rule(
    RULE,
    hooks=frozenset({VIEW}),
    needs=frozenset({MEDICATIONS}),
    values="drug eye onset",
    codes={"since": "dated undated"},
)
def eye_symptoms_on_biologic(picture: PatientPicture) -> Decision:
    """Suggest an eye review for conjunctivitis / keratitis on an IL-4/IL-13 biologic."""
    biologics = named(
        (o for o in picture.history if o.is_a("biologic") and is_current(picture, o)),
        *EYE_BIOLOGICS,
    )
    if not biologics:
        return Silent("no active dupilumab, tralokinumab or lebrikizumab order")
    eyes = active_in(picture, "conjunctivitis-keratitis")
    if not eyes:
        return Silent("no active conjunctivitis or keratitis recorded")
    # An eye condition dated before the first order of the biologic is not one it caused (an
    # atopic patient's allergic conjunctivitis of years ago); undated ones still count.
    starts = [
        started
        for o in named((o for o in picture.history if o.is_a("biologic")), *EYE_BIOLOGICS)
        if o.status not in ("entered-in-error", "cancelled")
        and (started := o.start or o.authored_on) is not None
    ]
    first = min(starts) if starts else None
    eyes = tuple(e for e in eyes if first is None or e.started is None or e.started >= first)
    if not eyes:
        return Silent("the conjunctivitis / keratitis on record predates the biologic")
    if not picture.has_eczema():
        return Silent("no active atopic dermatitis / eczema")
    order, eye = biologics[0], eyes[0]
    return Finding(
        rule_id=RULE,
        reason=f"fired: {eye.text or 'conjunctivitis/keratitis'} on {drug_label(order)}",
        values={
            "drug": drug_label(order),
            "eye": eye.text,
            "since": "dated" if eye.started else "undated",
            **({"onset": eye.started.isoformat()} if eye.started else {}),
        },
        orders=(order,),
        suggestions=("refer-ophthalmology",),
    )
