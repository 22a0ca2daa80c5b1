"""FDA label for crisaborole 2% ointment (Eucrisa): mild-to-moderate atopic dermatitis from
3 months of age (clinical-rules R-43, R-26).
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=EUCRISA
"""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.vocabulary import age_text, drug_label

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._systemic import named

RULE = "crisaborole-age"
MIN_MONTHS = 3


@rule(RULE, hooks=frozenset({SELECT, SIGN}), needs=frozenset(), values="age drug")
def crisaborole_age(picture: PatientPicture) -> Decision:
    """Warn when crisaborole is ordered for an infant under 3 months."""
    drafts = named((o for o in picture.drafts if o.is_a("pde4-topical")), "crisaborole")
    if not drafts:
        return Silent("no crisaborole among the draft orders in scope")
    gated = [o for o in drafts if picture.has_eczema(o)]
    if not gated:
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    months = picture.age_months
    if months is None:
        return Silent("age unknown: no usable birth date")
    if months >= MIN_MONTHS:
        return Silent(f"patient is {age_text(picture)}: crisaborole is labelled from 3 months")
    order = gated[0]
    return Finding(
        rule_id=RULE,
        reason=f"fired: {drug_label(order)} for an infant aged {age_text(picture)}",
        values={"drug": drug_label(order), "age": age_text(picture)},
        orders=(order,),
    )
