"""AAD 2023 topical therapy guideline (Sidbury et al., JAAD 2023;89:e1-e20) and NICE CG57: avoid
high-potency topical corticosteroids on the face, neck and skin folds; prefer a topical
calcineurin inhibitor there (clinical-rules R-14, R-15, R-23; TCI ages per R-41 labels).
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.terminology import SENSITIVE_SITES

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._common import drug_label, is_potent_tcs, potency_label, site_label

TACROLIMUS_ADULT_AGE = 16  # Protopic label: 0.1% only from 16 years
TCI_MIN_AGE = 2  # Protopic 0.03% and Elidel 1%: not under 2 years


@rule("tcs-potent-on-sensitive-site", hooks=frozenset({SELECT, SIGN}), needs=frozenset())
def potent_tcs_on_sensitive_site(picture: PatientPicture) -> Decision:
    """Warn when a US class I-III (UK potent/very potent) TCS is ordered for a sensitive site."""
    tcs = [o for o in picture.drafts if o.is_a("tcs")]
    if not tcs:
        return Silent("no topical corticosteroid among the draft orders in scope")
    potent = [o for o in tcs if is_potent_tcs(o)]
    if not potent:
        known = [o for o in tcs if o.drug.us_class is not None or o.drug.uk_potency]
        if not known:
            return Silent("potency of the ordered steroid could not be determined")
        return Silent(f"{drug_label(known[0])} is {potency_label(known[0])}, not potent")
    sited = [o for o in potent if o.sites]
    if not sited:
        return Silent("no body site found in the order's site codes or instruction text")
    sensitive = [o for o in sited if o.sites & SENSITIVE_SITES]
    if not sensitive:
        return Silent(f"sites {', '.join(sorted(sited[0].sites))} are not sensitive sites")
    order = sensitive[0]
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema and the order's reason is not eczema")
    if picture.indication_other(order):
        return Silent("the order's reason is another dermatosis, not eczema")

    age = picture.age_years
    tci_ok = age is not None and age >= TCI_MIN_AGE
    suggestions: list[str] = []
    if order.reference:  # a swap needs the draft's id for the delete action
        if tci_ok:
            suggestions += ["swap-to-tacrolimus", "swap-to-pimecrolimus"]
        suggestions.append("swap-to-hydrocortisone")
    site = site_label(order.sites & SENSITIVE_SITES)
    return Finding(
        rule_id="tcs-potent-on-sensitive-site",
        reason=(
            f"{drug_label(order)} is {potency_label(order)}; site {site} from {order.site_evidence}"
        ),
        values={
            "drug": drug_label(order),
            "potency": potency_label(order),
            "site": site,
            "site_evidence": order.site_evidence or "",
            "age": age if age is not None else "unknown",
            "tacrolimus_strength": "0.1%" if (age or 0) >= TACROLIMUS_ADULT_AGE else "0.03%",
        },
        orders=(order,),
        suggestions=tuple(suggestions),
        variant=None if tci_ok else "no-tci",
    )
