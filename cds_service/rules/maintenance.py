"""Proactive maintenance after repeated flares (AAD 2023 topical guideline: twice-weekly
medium-potency TCS, strong recommendation; TCI 2-3 times weekly; seed 000; clinical-rules
R-16, R-24): suggest it after repeated courses, and keep TCS maintenance to 16 weeks.
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import SENSITIVE_SITES, TCI_MIN_AGE, drug_label

from . import MEDICATIONS, SELECT, SIGN, VIEW, Decision, Finding, Silent, rule
from ._topical import (
    STOPPING_STATUSES,
    courses,
    days,
    has_maintenance,
    is_daily,
    is_intermittent,
    latest,
    per_week,
    real,
    shared_site,
    site_name,
)
from .taper import tcs_taper_after_long_use

TAPER_HOOKS = frozenset({SIGN, VIEW})  # where tcs-taper-after-long-use runs
MAX_TCS_MAINTENANCE_DAYS = 16 * 7.0  # twice weekly for up to 16 weeks
LONG_DAILY_DAYS = 28.0  # "a daily TCS for the same sites active > 4 weeks"
MID_POTENCY = frozenset({4, 5})  # US class IV-V: the proactive-trial steroids
TCI_WEEKLY = (2.0, 3.0)  # 2-3 times weekly
# The maintenance steroid (value `maintenance`; suggestions/topical_plans.py orders it): the
# last course's drug when US class IV-V and not on a sensitive site, hydrocortisone 1% on a
# sensitive site, else fluticasone propionate 0.05% cream (the steroid of the proactive trials).
SAME_DRUG = "same-drug"
MAINTENANCE_STEROIDS = {
    "hydrocortisone-1": "hydrocortisone 1% cream",
    "fluticasone-005": "fluticasone propionate 0.05% cream",
}
FlarePattern = tuple[MedicationOrder, dict[str, Any], frozenset[str]]


@rule(
    "tcs-proactive-maintenance",
    hooks=frozenset({SELECT, SIGN, VIEW}),
    needs=frozenset({MEDICATIONS}),
    values="drug maintenance site courses course_drug course_days weeks new_days",
    codes={"why": "same-site long-daily"},
)
def tcs_proactive_maintenance(picture: PatientPicture) -> Decision:
    """Suggest twice-weekly TCS after repeated flares; warn on maintenance beyond 16 weeks."""
    long = [
        o
        for o in picture.drafts
        if o.is_a("tcs")
        and is_intermittent(o)
        and o.duration_days is not None
        and o.duration_days > MAX_TCS_MAINTENANCE_DAYS
    ]
    long = [o for o in long if not picture.indication_other(o)] or long  # §5.1, per order
    if long:
        order = long[0]
        if not picture.has_eczema(order):
            return Silent(
                "no active atopic dermatitis / eczema and the order's reason is not eczema"
            )
        if picture.indication_other(order):
            return Silent("the order's reason is another dermatosis, not eczema")
        return Finding(
            rule_id="tcs-proactive-maintenance",
            reason=f"twice-weekly {drug_label(order)} for {days(order.duration_days)} days",
            values={
                "drug": drug_label(order),
                "weeks": f"{(order.duration_days or 0) / 7:.0f}",
                "new_days": int(MAX_TCS_MAINTENANCE_DAYS),
            },
            orders=(order,),
            suggestions=("shorten-course",) if order.raw else (),
            variant="too-long",
        )
    if picture.hook in TAPER_HOOKS and isinstance(tcs_taper_after_long_use(picture), Finding):
        return Silent("long daily potent use: tcs-taper-after-long-use proposes the step-down")
    trigger = _flare_pattern(picture, "tcs")
    if isinstance(trigger, Silent):
        return trigger
    last, found, sites = trigger
    sensitive = bool(sites & SENSITIVE_SITES)
    if sensitive:
        choice = "hydrocortisone-1"
    elif last.drug.us_class in MID_POTENCY:
        choice = SAME_DRUG
    else:
        choice = "fluticasone-005"
    suggestions = ["create-tcs-maintenance"]
    if sensitive and (picture.age_years or 0) >= TCI_MIN_AGE:
        suggestions.append("create-tci-maintenance")
    return Finding(
        rule_id="tcs-proactive-maintenance",
        reason=f"{_trace(found)}; maintenance: {choice}",
        values={
            **found,
            "drug": drug_label(last) if choice == SAME_DRUG else MAINTENANCE_STEROIDS[choice],
            "maintenance": choice,
            "site": site_name(sites),
        },
        orders=(last,),
        suggestions=tuple(suggestions),
    )


@rule(
    "tci-proactive-maintenance",
    hooks=frozenset({SELECT, SIGN, VIEW}),
    needs=frozenset({MEDICATIONS}),
    values="drug per_week site courses course_drug course_days",
    codes={"why": "same-site long-daily"},
)
def tci_proactive_maintenance(picture: PatientPicture) -> Decision:
    """Suggest 2-3 times weekly TCI after repeated flares; fix other weekly TCI schedules."""
    age = picture.age_years
    if age is None or age < TCI_MIN_AGE:
        return Silent("age unknown or under 2 years: tci-age-strength covers TCIs there")
    # A weekly draft whose times a week are unknown (no frequency) cannot be judged: skipped.
    odd = [
        o
        for o in picture.drafts
        if o.is_a("tci")
        and _weekly_schedule(o)
        and (weekly := per_week(o)) is not None
        and not (TCI_WEEKLY[0] <= weekly <= TCI_WEEKLY[1])
    ]
    odd = [o for o in odd if not picture.indication_other(o)] or odd  # §5.1, per order
    if odd:
        order = odd[0]
        if not picture.has_eczema(order):
            return Silent(
                "no active atopic dermatitis / eczema and the order's reason is not eczema"
            )
        if picture.indication_other(order):
            return Silent("the order's reason is another dermatosis, not eczema")
        weekly = per_week(order)
        return Finding(
            rule_id="tci-proactive-maintenance",
            reason=f"weekly {drug_label(order)} schedule of {weekly:g} times a week (2-3 advised)",
            values={"drug": drug_label(order), "per_week": f"{weekly:g}"},
            orders=(order,),
            suggestions=("set-twice-weekly",) if order.raw else (),
            variant="frequency",
        )
    trigger = _flare_pattern(picture, "tci")
    if isinstance(trigger, Silent):
        return trigger
    last, found, sites = trigger
    return Finding(
        rule_id="tci-proactive-maintenance",
        reason=_trace(found),
        values={
            **found,
            "drug": drug_label(last),
            "site": site_name(sites),
        },
        orders=(last,),
        suggestions=("create-tci-maintenance",),
    )


def _trace(found: dict[str, Any]) -> str:
    """The flare pattern for the explain trace: `same-site: courses 2`."""
    return f"{found['why']}: " + ", ".join(f"{k} {v}" for k, v in found.items() if k != "why")


def _weekly_schedule(order: MedicationOrder) -> bool:
    return bool(order.days_of_week) or (order.period_days is not None and order.period_days >= 7)


def _flare_pattern(picture: PatientPicture, drug_class: str) -> FlarePattern | Silent:
    """(last course, the values saying why, sites) for repeated courses without maintenance,
    else Silent. `why` is `same-site` (`courses` at one `site`) or `long-daily` (`course_drug`
    daily for `course_days` days)."""
    # A course for another dermatosis (psoriasis, lichen sclerosus...) is not an eczema flare.
    every = courses(picture, drug_class)
    found = [o for o in every if not picture.indication_other(o)]
    if picture.hook != VIEW and not any(o.in_scope for o in found):
        if any(o.in_scope for o in every):
            return Silent("the order's reason is another dermatosis, not eczema")
        return Silent(f"no {drug_class.upper()} flare course among the draft orders in scope")
    if not found:
        return Silent(f"no {drug_class.upper()} course in the last 6 months")
    if has_maintenance(picture, ("tcs", "tci")):
        return Silent("a twice-weekly maintenance order is already current")
    site = shared_site(found)
    if site is not None:
        at_site = [o for o in found if site in o.sites]
        why: dict[str, Any] = {"why": "same-site", "courses": len(at_site)}
        last, sites = latest(at_site) or at_site[-1], frozenset({site})
    elif long := _long_daily(found):  # course lengths read only when no site is shared
        last = long[-1]
        why = {"why": "long-daily", "course_drug": drug_label(last)}
        why["course_days"] = days(last.duration_days)
        sites = last.sites
    else:
        return Silent(
            f"{len(found)} {drug_class.upper()} course(s) in 6 months, none at a shared known "
            "site and none daily for over 4 weeks"
        )
    if not picture.has_eczema(last):
        return Silent("no active atopic dermatitis / eczema")
    if picture.indication_other(last):
        return Silent("the order's reason is another dermatosis, not eczema")
    flaring = _daily_flare_draft(picture, drug_class, sites)
    if flaring is not None:
        return Silent(
            f"a daily {drug_label(flaring)} flare course is being ordered for the same site: "
            "maintenance starts once the flare has cleared"
        )
    return last, why, sites


def _long_daily(found: list[MedicationOrder]) -> list[MedicationOrder]:
    return [o for o in found if is_daily(o) and (o.duration_days or 0) > LONG_DAILY_DAYS]


def _daily_flare_draft(
    picture: PatientPicture, drug_class: str, sites: frozenset[str]
) -> MedicationOrder | None:
    """A draft of the class applied at least once a day for the same site (or a site that is
    not known, on either side: it may be the same one): a flare being treated now."""
    for order in picture.drafts:
        if not (order.is_a(drug_class) and real(order) and is_daily(order)):
            continue
        if order.status in STOPPING_STATUSES:
            continue
        if not order.sites or not sites or order.sites & sites:
            return order
    return None
