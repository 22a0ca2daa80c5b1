"""Shared helpers for the topical steroid / calcineurin-inhibitor rules (courses, schedules)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import SIX_MONTHS

from ._common import SITE_LABEL, SITE_PRIORITY, site_label

VOID_STATUSES = frozenset({"entered-in-error", "cancelled"})
STOPPING_STATUSES = frozenset({"stopped", "cancelled", "completed"})

# Wet wraps and occlusion as sigs write them: "wet wraps", "under occlusion", cling film /
# saran / plastic wrap over the steroid, wet pyjamas, damp tubular bandages (Tubifast); a
# "non-occlusive" dressing is none.
_WET_WRAP = re.compile(
    r"\bwet[\s-]?wrap\w*|(?<!non)(?<!non[\s-])\bocclu(?:si|de|ded)\w*"
    r"|\b(?:wet|damp|moist)(?:ened)? (?:tubular |cotton )?"
    r"(?:dressing|bandag|pyjama|pajama|pjs|garment|tubifast|tubigrip|stockinette|layer)\w*"
    r"|\b(?:saran|cling|plastic|glad|cellophane)[\s-]?(?:wrap|film)\w*"
)
_NEGATION = re.compile(r"\b(?:no|not|avoid\w*|without|never|don'?t|do not)\b[^.;,]{0,25}$")


def real(order: MedicationOrder) -> bool:
    """Not voided (entered in error / cancelled)."""
    return order.status not in VOID_STATUSES


def per_week(order: MedicationOrder) -> float | None:
    """Administrations per week from frequency/period, or from the listed weekdays."""
    per_day = order.per_day
    if order.days_of_week:
        period = order.period_days
        return float(len(order.days_of_week)) * ((per_day if period and period <= 1 else None) or 1)
    return None if per_day is None else per_day * 7


def is_intermittent(order: MedicationOrder, most: float = 3) -> bool:
    """A weekly maintenance schedule: weekdays listed, or at most `most` applications a week."""
    weekly = per_week(order)
    return weekly is not None and 0 < weekly <= most


def is_daily(order: MedicationOrder) -> bool:
    """Applied at least once a day."""
    return order.per_day is not None and order.per_day >= 1


def started(order: MedicationOrder) -> date | None:
    """When the course started (bounds start, else authored)."""
    return order.start or order.authored_on


def days_so_far(picture: PatientPicture, order: MedicationOrder) -> float:
    """The course's days up to today (its duration when the start is unknown): planned days
    still to come are not yet treatment that failed (R-40, R-45: "after 4 weeks")."""
    days = order.duration_days or 0
    begin = started(order)
    return days if begin is None else max(0, min(days, (picture.today - begin).days))


def course_end(order: MedicationOrder) -> date | None:
    """When the course ends: bounds end, else start + duration; None when unknown."""
    if order.end:
        return order.end
    begin = started(order)
    if begin is None or order.duration_days is None:
        return None
    try:
        return begin + timedelta(days=order.duration_days)
    except OverflowError:  # past year 9999: a data error, so the end is unknown
        return None


def recent(picture: PatientPicture, order: MedicationOrder, window: timedelta) -> bool:
    """A draft of this call, or an order on record authored within the window."""
    if order.is_draft:
        return order.in_scope
    begin = started(order)
    return begin is not None and picture.today - window <= begin <= picture.today


def courses(
    picture: PatientPicture, drug_class: str, window: timedelta = SIX_MONTHS
) -> list[MedicationOrder]:
    """Flare courses (not twice-weekly maintenance) of the class in the window, drafts included."""
    today = picture.today
    since = today - window  # `recent`, with the dates read once: this walks every past order
    return [
        o
        for o in picture.orders_in(drug_class)
        if real(o)
        and (o.in_scope if o.is_draft else since <= (started(o) or date.min) <= today)
        and not is_intermittent(o)
    ]


def has_maintenance(picture: PatientPicture, classes: tuple[str, ...]) -> bool:
    """A current (active / draft / on-hold) intermittent TCS or TCI order exists."""
    return picture.memo(
        f"maintenance:{','.join(classes)}",  # each flare rule and the taper ask it
        lambda: any(
            o.is_active_or_draft and is_intermittent(o)
            for drug_class in classes
            for o in picture.orders_in(drug_class)
        ),
    )


def shared_site(orders: Iterable[MedicationOrder]) -> str | None:
    """A site category named by at least two of the orders (sites never guessed)."""
    seen: set[str] = set()
    for order in orders:
        for site in sorted(order.sites):
            if site in seen:
                return site
        seen |= order.sites
    return None


def latest(orders: Iterable[MedicationOrder]) -> MedicationOrder | None:
    """The most recently started order (drafts count as today)."""
    dated = [(started(o) or date.min, i, o) for i, o in enumerate(orders)]
    return max(dated)[2] if dated else None


def wet_wrap(order: MedicationOrder) -> str | None:
    """The wet-wrap / occlusion phrase in the order's instructions, unless it is negated."""
    text = (order.instruction_text or "").lower()[:2000]
    for match in _WET_WRAP.finditer(text):
        # the negation ends within 25 characters of the phrase: look only that far back (a
        # search of the whole prefix per phrase is quadratic on "not wet wrap " repeated)
        if not _NEGATION.search(text, max(0, match.start() - 80), match.start()):
            return match.group(0)
    return None


_MORE_SITES = {
    "trunk": "trunk",
    "upper-limb": "arms",
    "lower-limb": "legs",
    "foot": "feet",
    "head": "head",
    "skin": "skin",
}


def site_name(sites: frozenset[str]) -> str:
    """A readable label for the most specific site, including non-sensitive regions."""
    if sites & SITE_LABEL.keys() or not sites:
        return site_label(sites) if sites else "previously affected areas"
    names = sorted(_MORE_SITES.get(s, s) for s in sites)
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))  # "arms and trunk"


def days(value: float | None) -> str | None:
    """A day count for card text; None when unknown (the card file words it: `[absent]`)."""
    return None if value is None else f"{value:g}"


def sites_listed(sites: frozenset[str]) -> str:
    """Every site, for an instruction the service writes ('face and neck', 'face, neck and
    trunk'): `site_name` names only the most specific sensitive one, as a card does."""
    ranked = [SITE_LABEL[s] for s in SITE_PRIORITY if s in sites]
    rest = sorted(
        SITE_LABEL.get(s) or _MORE_SITES.get(s, s) for s in sites if s not in SITE_PRIORITY
    )
    names = ranked + rest
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1]))) if names else ""
