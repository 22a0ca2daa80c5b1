"""Infection red flags in eczema (clinical-rules R-32 to R-37): eczema herpeticum and cellulitis are
urgent, impetiginised eczema needs treatment and review, recurrent infection prompts dilute
bleach-bath advice. NICE CG57 (eczema herpeticum: systemic aciclovir and same-day specialist
advice; secondary bacterial infection now NICE NG190), AAD 2023 and JTF 2023 (bleach baths
for moderate-to-severe eczema with frequent infections); seed article 003 red flags.
https://www.nice.org.uk/guidance/cg57
"""

from __future__ import annotations

import re
from typing import Any

from cds_service.picture import ConditionFact, MedicationOrder, PatientPicture
from cds_service.vocabulary import (
    DRUG_CLASSES,
    HELD_IN_ECZEMA_HERPETICUM,
    active_in,
    drafts_of,
    drug_label,
    recorded_in,
)

from . import SELECT, SIGN, VIEW, Decision, Finding, Silent, rule
from ._redflags import aciclovir_dose, acute_active, condition_label, days_ago, latest_date

HERPETICUM_RECENT_DAYS = 14  # "recorded in the last 14 days"
UNSTATED_DAYS = 14  # a cellulitis without a clinicalStatus counts when this recent (or undated)
PERIOCULAR = frozenset({"eyelid", "face"})  # lesions around the eyes: same-day ophthalmology
EPISODE_WINDOW_DAYS = 365  # "≥2 skin-infection episodes in 12 months"
RECURRENT_EPISODES = 2
INFECTION_SETS = ("skin-infection", "cellulitis")
# Antibacterials used for impetigo / infected eczema (NICE NG153, NG190): topical ones by drug
# class, oral ones by name, as the drug table has no oral antibiotic class.
SKIN_ANTIBIOTIC = re.compile(
    r"\b(?:flucloxacillin|dicloxacillin|cloxacillin|ceph?alexin|cefadroxil|clarithromycin"
    r"|erythromycin|azithromycin|clindamycin|doxycycline|co-amoxiclav|amoxicillin.clavulan\w*"
    r"|retapamulin|ozenoxacin|mupirocin|fusidic|fucidin|bactroban)",
    re.IGNORECASE,
)


def _treats_skin_infection(order: MedicationOrder) -> bool:
    """An anti-infective for the skin: ordering it means the infection is being treated."""
    if order.is_a("topical-antimicrobial"):
        return True
    names = " ".join(n for n in (order.name, order.drug.ingredient) if n)[:500]
    return bool(SKIN_ANTIBIOTIC.search(names))


WHEN_CODES = "recorded undated"


def _when(ago: int | None) -> dict[str, Any]:
    """When the condition was recorded: `when` is `recorded` (`days_ago` days ago) or
    `undated`; the card file words it."""
    return {"when": "undated"} if ago is None else {"when": "recorded", "days_ago": ago}


@rule(
    "eczema-herpeticum",
    hooks=frozenset({VIEW, SELECT, SIGN}),
    needs=frozenset(),
    values="aciclovir_dose aciclovir_source clinical_status condition condition_ref drug "
    "drug_class days_ago",
    codes={"when": WHEN_CODES, "status": "active recorded unrecorded", "aciclovir": "oral iv"},
)
def eczema_herpeticum(picture: PatientPicture) -> Decision:
    """Critical: eczema herpeticum active or recorded in the last 14 days (any patient)."""
    current: list[tuple[ConditionFact, int | None]] = []
    for c in recorded_in(picture, "eczema-herpeticum"):
        ago = days_ago(picture, latest_date(c))
        recent = ago is not None and ago <= HERPETICUM_RECENT_DAYS
        if recent or acute_active(picture, c, HERPETICUM_RECENT_DAYS):
            current.append((c, ago))
    if not current:
        return Silent("no eczema herpeticum active or recorded in the last 14 days")
    condition, ago = current[0]
    when = "date not recorded" if ago is None else f"{ago} days ago"  # the explain trace
    status = "active" if condition.active else (condition.clinical_status or "not active")
    values = {
        "condition": condition_label([condition], "eczema herpeticum"),
        **_when(ago),
        **_status(condition),
        "condition_ref": f"Condition/{condition.id}" if condition.id else "",
        "drug": "",
        "drug_class": "",
        **_aciclovir(picture),
    }
    # §5.6: oral aciclovir and the same-day (stat) referral; ophthalmology too when periocular
    actions: tuple[str, ...] = ("order-oral-aciclovir", "urgent-dermatology-review")
    if any(c.body_sites & PERIOCULAR for c, _ in current):
        actions += ("same-day-ophthalmology",)
    held = drafts_of(picture, *HELD_IN_ECZEMA_HERPETICUM)
    if not held:
        return Finding(
            rule_id="eczema-herpeticum",
            reason=f"{values['condition']} ({status}, {when})",
            values=values,
            suggestions=actions,
        )
    order = held[0]
    drug_class = next(DRUG_CLASSES[c] for c in HELD_IN_ECZEMA_HERPETICUM if order.is_a(c))
    values |= {"drug": drug_label(order), "drug_class": drug_class}
    return Finding(
        rule_id="eczema-herpeticum",
        reason=f"{values['condition']} ({status}, {when}) and {drug_label(order)} "
        f"({drug_class}) is being ordered",
        values=values,
        orders=tuple(held),
        suggestions=(("hold-immunomodulator",) if all(o.reference for o in held) else ()) + actions,
        variant="hold",
    )


def _episodes(picture: PatientPicture) -> list[ConditionFact]:
    """Impetigo / infected eczema / cellulitis started in the last 12 months, or active now."""
    found = []
    for value_set in INFECTION_SETS:
        for c in recorded_in(picture, value_set):
            ago = days_ago(picture, c.started)
            if (ago is not None and ago <= EPISODE_WINDOW_DAYS) or c.active:
                if c not in found:
                    found.append(c)
    return found


@rule(
    "skin-infection",
    hooks=frozenset({VIEW, SELECT}),
    needs=frozenset(),
    values="condition episodes",
)
def skin_infection(picture: PatientPicture) -> Decision:
    """Warn on impetiginised eczema; bleach-bath advice after 2+ infections in 12 months."""
    if not picture.has_eczema(next(iter(picture.drafts), None)):
        return Silent("no active atopic dermatitis / eczema")
    if picture.hook == SELECT:
        treating = next((o for o in picture.drafts if _treats_skin_infection(o)), None)
        if treating is not None:  # clinical-rules §5.5: the clinician is treating it now
            return Silent(
                f"{drug_label(treating)} is being ordered: the infection is being treated"
            )
        if not any(o.drug.route == "topical" for o in picture.drafts):
            return Silent("order-select without a topical skin treatment among the selected drafts")
    infected = active_in(picture, "skin-infection")
    episodes = _episodes(picture)
    recurrent = len(episodes) >= RECURRENT_EPISODES
    values = {
        "condition": condition_label(infected or episodes, "skin infection"),
        "episodes": len(episodes),
    }
    if infected:
        return Finding(
            rule_id="skin-infection",
            reason=f"active {values['condition']}; {len(episodes)} episode(s) in 12 months",
            values=values,
            suggestions=("refer-dermatology",),
            variant="recurrent" if recurrent else None,
        )
    if recurrent:
        return Finding(
            rule_id="skin-infection",
            reason=f"{len(episodes)} skin-infection episodes in 12 months, none active now",
            values=values,
            variant="bleach-bath",
        )
    return Silent(f"no active impetigo / infected eczema; {len(episodes)} episode(s) in 12 months")


@rule(
    "cellulitis-urgent",
    hooks=frozenset({VIEW}),
    needs=frozenset(),
    values="condition days_ago",
    codes={"when": WHEN_CODES},
)
def cellulitis_urgent(picture: PatientPicture) -> Decision:
    """Critical: active cellulitis in a patient with eczema needs urgent evaluation."""
    if not picture.has_eczema():
        return Silent("no active atopic dermatitis / eczema")
    cellulitis = [
        c for c in active_in(picture, "cellulitis") if acute_active(picture, c, UNSTATED_DAYS)
    ]
    if not cellulitis:
        return Silent("no active cellulitis on record")
    condition = cellulitis[0]
    ago = days_ago(picture, latest_date(condition))
    label = condition_label([condition], "cellulitis")
    return Finding(
        rule_id="cellulitis-urgent",
        reason=f"active {label} with eczema",
        values={"condition": label, **_when(ago)},
    )


@rule(
    "topical-antimicrobial-uninfected", hooks=frozenset({SELECT}), needs=frozenset(), values="drug"
)
def topical_antimicrobial_uninfected(picture: PatientPicture) -> Decision:
    """Suggest dropping topical mupirocin / fusidic acid on eczema with no infection recorded."""
    drafts = [o for o in drafts_of(picture, "topical-antimicrobial") if picture.has_eczema(o)]
    if not drafts:
        return Silent("no topical antibacterial draft for a patient with eczema")
    infected = [c for vs in INFECTION_SETS for c in active_in(picture, vs)]
    if infected:
        return Silent(f"active {condition_label(infected, 'skin infection')} on record")
    for order in drafts:
        if any(picture.reason_in(order, name) for name in INFECTION_SETS):
            return Silent(f"{drug_label(order)} is ordered for a skin infection")
    order = drafts[0]
    return Finding(
        rule_id="topical-antimicrobial-uninfected",
        reason=f"{drug_label(order)} ordered with eczema and no skin infection on record",
        values={"drug": drug_label(order)},
        orders=tuple(drafts),
        suggestions=("delete-topical-antimicrobial",),
    )


def _status(condition: ConditionFact) -> dict[str, Any]:
    """`status`: active, its recorded clinical status, or none recorded (the card words it)."""
    if condition.active:
        return {"status": "active"}
    if condition.clinical_status:
        return {"status": "recorded", "clinical_status": condition.clinical_status}
    return {"status": "unrecorded"}


def _aciclovir(picture: PatientPicture) -> dict[str, Any]:
    """The oral aciclovir dose the card offers (`oral`: dose words and source), or `iv` under
    1 month or without a birth date (neonatal herpes: intravenous, in hospital)."""
    dose = aciclovir_dose(picture.age_months)
    if dose is None:
        return {"aciclovir": "iv"}
    _form, amount, source = dose
    return {"aciclovir": "oral", "aciclovir_dose": amount, "aciclovir_source": source}
