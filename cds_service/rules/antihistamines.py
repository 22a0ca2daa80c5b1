"""AAD 2023 topical guideline (Sidbury et al., JAAD 2023;89:e1-e20) and NICE CG57: oral
antihistamines are not routine eczema treatment (non-sedating ones have no proven benefit for
eczema itch; a sedating one only at bedtime for sleep), and topical antihistamines should not be
used (contact sensitisation). AGS Beers Criteria 2023 for first-generation antihistamines from
65 years (clinical-rules R-29, R-30, R-31).
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from datetime import timedelta

from cds_service.picture import PatientPicture
from cds_service.vocabulary import age_text, drug_label, eczema_drafts, recorded_in

from . import SELECT, SIGN, Decision, Finding, Silent, rule
from ._redflags import (
    MORE_CODES,
    TIMING_CODES,
    days_ago,
    is_bedtime,
    more_values,
    timing_values,
)

BEERS_AGE = 65  # AGS Beers Criteria: avoid first-generation antihistamines from 65 years
INFANT_MONTHS = 6  # NICE CG57: a sedating antihistamine trial only in children over 6 months
INDICATION_RECENT = timedelta(days=365)  # a seasonal rhinitis resolved within a year still counts


@rule(
    "antihistamine-non-sedating",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="drug more_drafts",
    codes={"more": MORE_CODES},
)
def non_sedating_for_eczema(picture: PatientPicture) -> Decision:
    """Suggest dropping a non-sedating antihistamine ordered for eczema itch alone."""
    drafts = eczema_drafts(picture, "antihistamine-non-sedating")
    if not drafts:
        return Silent("no non-sedating antihistamine draft for a patient with eczema")
    for_eczema = []
    for order in drafts:
        given = order.reasons or order.reason_references
        if not given or picture.reason_in(order, "atopic-dermatitis"):
            for_eczema.append(order)
    if not for_eczema:
        return Silent(f"{drug_label(drafts[0])} is ordered for a reason other than eczema")
    drafts = for_eczema
    for c in recorded_in(picture, "antihistamine-indication"):
        ended = days_ago(picture, c.abatement)
        if c.active or (ended is not None and ended <= INDICATION_RECENT.days):
            return Silent("urticaria, allergic rhinitis or allergic conjunctivitis is on record")
    order = drafts[0]
    return Finding(
        rule_id="antihistamine-non-sedating",
        reason=f"{drug_label(order)} ordered with eczema and no other antihistamine indication",
        values={"drug": drug_label(order), **more_values(drafts)},
        orders=tuple(drafts),
        suggestions=("delete-non-sedating-antihistamine",),
    )


@rule(
    "antihistamine-sedating-bedtime",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="age drug months more_drafts per_day times",
    codes={"more": MORE_CODES, "timing": TIMING_CODES},
)
def sedating_not_at_bedtime(picture: PatientPicture) -> Decision:
    """Suggest bedtime-only timing for a sedating antihistamine (warning from 65 years); under
    6 months, warn and suggest removing it, at whatever time it is given."""
    drafts = eczema_drafts(picture, "antihistamine-sedating")
    if not drafts:
        return Silent("no sedating oral antihistamine draft for a patient with eczema")
    months = picture.age_months
    if months is not None and months < INFANT_MONTHS:
        order = drafts[0]
        return Finding(
            rule_id="antihistamine-sedating-bedtime",
            reason=f"{drug_label(order)} for an infant aged {age_text(picture)} (under 6 months)",
            values={
                "drug": drug_label(order),
                **timing_values(order),
                "age": picture.age_years,
                "months": age_text(picture),  # '4 months', '1 month', '2 weeks'
                **more_values(drafts),
            },
            orders=tuple(drafts),
            suggestions=("delete-sedating-antihistamine",),
            variant="infant",
        )
    daytime = [o for o in drafts if not is_bedtime(o)]
    if not daytime:
        return Silent(f"{drug_label(drafts[0])} is already timed at bedtime")
    order = daytime[0]
    age = picture.age_years
    older = age is not None and age >= BEERS_AGE
    suggestions = ["bedtime-timing"] + (["delete-sedating-antihistamine"] if older else [])
    return Finding(
        rule_id="antihistamine-sedating-bedtime",
        reason=f"{drug_label(order)} timed {timing_values(order)}, not at bedtime; age {age}",
        values={
            "drug": drug_label(order),
            **timing_values(order),
            "age": age,
            **more_values(daytime),
        },
        orders=(order,),
        suggestions=tuple(suggestions),
        variant="older-adult" if older else None,
    )


@rule(
    "antihistamine-topical",
    hooks=frozenset({SELECT, SIGN}),
    needs=frozenset(),
    values="drug more_drafts",
    codes={"more": MORE_CODES},
)
def topical_antihistamine(picture: PatientPicture) -> Decision:
    """Warn against topical diphenhydramine or doxepin cream on eczema."""
    drafts = eczema_drafts(picture, "antihistamine-topical")
    if not drafts:
        return Silent("no topical antihistamine draft for a patient with eczema")
    order = drafts[0]
    return Finding(
        rule_id="antihistamine-topical",
        reason=f"{drug_label(order)} is a topical antihistamine ordered with eczema",
        values={"drug": drug_label(order), **more_values(drafts)},
        orders=tuple(drafts),
        suggestions=("delete-topical-antihistamine",),
    )
