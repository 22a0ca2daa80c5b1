"""FDA labels for AD biologics and oral JAK inhibitors (Rinvoq, Cibinqo: not with other JAK
inhibitors, biologic immunomodulators or potent immunosuppressants such as azathioprine and
ciclosporin) and EuroGuiDerm 2022: do not combine systemic immunomodulators outside a specialist
plan (clinical-rules R-51).
https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=RINVOQ
"""

from __future__ import annotations

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import DRUG_CLASSES, SYSTEMIC_IMMUNOMODULATORS, drug_label, is_current

from . import MEDICATIONS, SIGN, Decision, Finding, Silent, rule
from ._systemic import ingredient

RULE = "immunomodulator-combination"
TARGETED = ("biologic", "jak-oral")  # one of the pair must be a biologic or an oral JAK
# R-51 names the atopic-dermatitis biologics. Others (adalimumab, ustekinumab, ...) are given
# with methotrexate or azathioprine as standard rheumatology / psoriasis practice: with a
# conventional immunosuppressant they are not this rule's concern (with a JAK or another
# biologic they are).
AD_BIOLOGICS = frozenset({"dupilumab", "tralokinumab", "lebrikizumab", "nemolizumab"})


def _kind(order: MedicationOrder) -> str | None:
    return next((c for c in SYSTEMIC_IMMUNOMODULATORS if order.is_a(c)), None)


@rule(
    RULE,
    hooks=frozenset({SIGN}),
    needs=frozenset({MEDICATIONS}),
    values="drug drug_class drug_short other other_class other_short other_status",
    codes={"other_state": "drafted on-record"},
)
def immunomodulator_combination(picture: PatientPicture) -> Decision:
    """Warn when a biologic / oral JAK meets another biologic, JAK or immunosuppressant."""
    drafts = [o for o in picture.drafts if _kind(o)]
    if not drafts:
        return Silent("no biologic, oral JAK inhibitor or systemic immunosuppressant drafted")
    others = [o for o in picture.orders if _kind(o) and is_current(picture, o)]
    for draft in drafts:
        for other in others:
            if other is draft or ingredient(other) == ingredient(draft):
                continue  # the same order, or a renewal of the same drug
            kinds = {_kind(draft), _kind(other)}
            if not kinds & set(TARGETED):
                continue  # two conventional immunosuppressants: not this rule
            if kinds == {"biologic", "systemic-immunosuppressant"} and not any(
                _kind(o) == "biologic" and ingredient(o) in AD_BIOLOGICS for o in (draft, other)
            ):
                continue  # e.g. adalimumab with methotrexate: a standard combination
            if not picture.has_eczema(draft):
                return Silent(
                    "no active atopic dermatitis / eczema and the order's reason is not eczema"
                )
            state = "drafted" if other.is_draft else "on-record"
            return Finding(
                rule_id=RULE,
                reason=f"fired: {drug_label(draft)} with {drug_label(other)} {state}",
                values={
                    "drug": drug_label(draft),
                    "drug_short": ingredient(draft) or drug_label(draft),
                    "drug_class": DRUG_CLASSES[_kind(draft) or ""],
                    "other": drug_label(other),
                    "other_short": ingredient(other) or drug_label(other),
                    "other_class": DRUG_CLASSES[_kind(other) or ""],
                    "other_state": state,
                    "other_status": other.status,
                },
                orders=(draft, other),
                suggestions=("delete-combination-draft",) if draft.reference else (),
            )
    return Silent("no second biologic, JAK inhibitor or immunosuppressant is current")
