"""Avoid irritants on eczema skin: OTC anti-acne products (benzoyl peroxide, salicylic acid,
topical retinoids), solvents and disinfectants (clinical-rules R-08; seed article 000, prescriber
summary). AAD 2023 topical guideline for the eczema regimen they disrupt.
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.vocabulary import drafts_of, drug_label

from . import SELECT, Decision, Finding, Silent, rule
from ._redflags import MORE_CODES, more_values


@rule(
    "irritant-topical",
    hooks=frozenset({SELECT}),
    needs=frozenset(),
    values="drug more_drafts",
    codes={"more": MORE_CODES},
)
def irritant_topical(picture: PatientPicture) -> Decision:
    """Suggest reviewing a benzoyl peroxide, salicylic acid or retinoid draft with eczema."""
    drafts = [o for o in drafts_of(picture, "irritant-topical") if picture.has_eczema(o)]
    if not drafts:
        return Silent("no benzoyl peroxide, salicylic acid or retinoid draft with eczema")
    # A steroid with salicylic acid (e.g. betamethasone / salicylic acid ointment) is a deliberate
    # keratolytic choice for thick, scaly eczema: leave it to the steroid rules.
    plain = [o for o in drafts if not o.is_a("tcs")]
    if not plain:
        return Silent(f"{drug_label(drafts[0])} combines a steroid with salicylic acid")
    order = plain[0]
    return Finding(
        rule_id="irritant-topical",
        reason=f"{drug_label(order)} is an irritant topical ordered with eczema",
        values={"drug": drug_label(order), **more_values(plain)},
        orders=tuple(plain),
        suggestions=("delete-irritant-topical",),
    )
