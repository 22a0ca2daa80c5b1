"""Topical steroid withdrawal and rebound: after weeks of daily potent TCS, taper rather than
stop abruptly and move to a non-steroid (seed 003, "don't cold turkey"; AAD 2023 topical
guideline on TCS adverse effects; clinical-rules R-18).
https://www.jaad.org/article/S0190-9622(23)00004-X/fulltext
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cds_service.picture import MedicationOrder, PatientPicture
from cds_service.vocabulary import (
    FACE_SITES,
    SENSITIVE_SITES,
    TCI_MIN_AGE,
    drug_label,
    is_potent_tcs,
)

from . import MEDICATIONS, SIGN, VIEW, Decision, Finding, Silent, rule
from ._common import POTENCY_CODES, potency_codes, potency_label, site_label
from ._topical import (
    STOPPING_STATUSES,
    course_end,
    has_maintenance,
    is_daily,
    is_intermittent,
    real,
    site_name,
    started,
)
from .tcs_sensitive_site import sensitive_site_order

LONG_DAYS = 28  # ≥4 weeks continuous potent TCS
FACE_DAYS = 14  # ≥2 weeks on the face
MAX_GAP = timedelta(days=3)  # courses this close count as continuous
RECENT = timedelta(days=14)  # "just ended"


@dataclass(frozen=True)
class Run:
    """Back-to-back daily potent courses."""

    start: date
    end: date
    orders: tuple[MedicationOrder, ...]

    def used(self, today: date) -> int:
        """Days of use so far (a planned end in the future does not count yet)."""
        return (min(self.end, today) - self.start).days


@rule(
    "tcs-taper-after-long-use",
    hooks=frozenset({VIEW, SIGN}),
    needs=frozenset({MEDICATIONS}),
    values="days drug end sensitive_sites site other_sites",
    codes={"where": "face elsewhere", "others": "none listed", "potency": POTENCY_CODES},
)
def tcs_taper_after_long_use(picture: PatientPicture) -> Decision:
    """Warn when long daily potent TCS use is being stopped or renewed: taper and switch."""
    run = _qualifying_run(picture)
    if run is None:
        return Silent("no daily potent steroid use of 4 weeks (2 weeks on the face) on record")
    last = run.orders[-1]
    chosen = _signed(picture, run) if picture.hook == SIGN else _viewed(picture, run)
    if isinstance(chosen, Silent):
        return chosen
    order, variant = chosen
    if not picture.has_eczema(order):
        return Silent("no active atopic dermatitis / eczema")
    if picture.indication_other(order):
        return Silent("the order's reason is another dermatosis, not eczema")
    used = run.used(picture.today)
    face = bool(frozenset().union(*(o.sites for o in run.orders)) & FACE_SITES)
    values: dict[str, str | int | tuple[str, ...]] = {
        "drug": drug_label(last),
        "potency": potency_codes(last),
        "days": used,
        "where": "face" if face else "elsewhere",
        "end": min(run.end, picture.today).isoformat(),  # the span `days` counts
    }
    sensitive = order.sites & SENSITIVE_SITES
    if sensitive:
        # NICE CG57 / AAD 2023: no potent steroid on the face, neck, folds or genital/nappy
        # area, so no 4 more weeks of it there: step down to a mild steroid (hydrocortisone
        # 1%) or, from 2 years, a calcineurin inhibitor, ordered for the sensitive site only.
        suggestions = ["step-down-hydrocortisone"]
        if (picture.age_years or 0) >= TCI_MIN_AGE:
            suggestions.append("start-tci")
        others = order.sites - SENSITIVE_SITES
        values |= {
            "site": site_label(sensitive),
            "sensitive_sites": ",".join(sorted(sensitive)),
            "others": "listed" if others else "none",
            "other_sites": site_name(others) if others else "",
        }
        variant = f"sensitive-{variant}" if variant else "sensitive"
    else:
        suggestions = ["taper-tcs"]
        if (picture.age_years or 0) >= TCI_MIN_AGE:
            suggestions.append("start-tci")
    return Finding(
        rule_id="tcs-taper-after-long-use",
        reason=f"{used} days of daily {drug_label(last)} ({potency_label(last)}) "
        f"{'on the face ' if face else ''}until {run.end.isoformat()}",
        values=values,
        orders=(order,),
        suggestions=tuple(suggestions),
        variant=variant,
    )


def _signed(picture: PatientPicture, run: Run) -> tuple[MedicationOrder, str | None] | Silent:
    """order-sign: the draft that stops (variant "stopping") or renews the run's drug."""
    last = run.orders[-1]
    same = [o for o in picture.drafts if o.drug.ingredient == last.drug.ingredient]
    same = [o for o in same if not picture.indication_other(o)] or same  # §5.1, per order
    stopping = [o for o in same if o.status in STOPPING_STATUSES]
    renewing = [o for o in same if o not in stopping and is_potent_tcs(o) and is_daily(o)]
    if picture.today - run.end > RECENT:
        return Silent(f"the potent course ended on {run.end.isoformat()}, over 2 weeks ago")
    if any(o.is_a("tci") or (o.is_a("tcs") and is_intermittent(o)) for o in picture.drafts):
        return Silent("a calcineurin inhibitor or intermittent steroid is being ordered too")
    if not (stopping or renewing):
        return Silent(f"{drug_label(last)} is neither renewed nor stopped by the drafts")
    order, variant = (stopping[0], "stopping") if stopping else (renewing[0], None)
    if order is sensitive_site_order(picture):  # clinical-rules §5.3: one answer per order
        return Silent("tcs-potent-on-sensitive-site replaces this order: its swap is the step-down")
    return order, variant


def _viewed(picture: PatientPicture, run: Run) -> tuple[MedicationOrder, str | None] | Silent:
    """patient-view: the run ended in the last 2 weeks and nothing has replaced it."""
    last = run.orders[-1]
    if run.end > picture.today:
        return Silent(f"{drug_label(last)} is still running (until {run.end.isoformat()})")
    if picture.today - run.end > RECENT:
        return Silent(f"the potent course ended on {run.end.isoformat()}, over 2 weeks ago")
    if has_maintenance(picture, ("tcs", "tci")) or any(
        o.is_a("tci") and o.is_active_or_draft and real(o) for o in picture.history
    ):
        return Silent("a calcineurin inhibitor or intermittent steroid is already current")
    return last, "ended"


def _qualifying_run(picture: PatientPicture) -> Run | None:
    """The latest run of daily potent courses long enough (4 weeks, or 2 on the face)."""
    return picture.memo("taper-run", lambda: _find_run(picture))  # maintenance asks it too


def _find_run(picture: PatientPicture) -> Run | None:
    pool = [
        o
        for o in picture.orders_in("tcs")
        if (not o.is_draft or (o.in_scope and o.status in STOPPING_STATUSES))
        and real(o)
        and is_potent_tcs(o)
        and is_daily(o)
        and started(o) is not None
        and course_end(o) is not None
    ]
    today, best = picture.today, None
    runs = _runs(pool)
    for run in runs:
        if run.used(today) >= LONG_DAYS and (best is None or run.end > best.end):
            best = run
    # A face run's courses chain in the run of the whole pool that holds them, which is no
    # shorter and ends no earlier: only those runs that could hold a winning face run have
    # their courses' sites read (picture order kept, so ties sort as before).
    face = [
        o
        for run in runs
        if run.used(today) >= FACE_DAYS and (best is None or run.end > best.end)
        for o in run.orders
        if o.sites & FACE_SITES
    ]
    for run in _runs(face):
        if run.used(today) >= FACE_DAYS and (best is None or run.end > best.end):
            best = run
    return best


def _runs(orders: list[MedicationOrder]) -> list[Run]:
    runs: list[Run] = []
    for order in sorted(orders, key=lambda o: started(o) or date.min):
        begin, end = started(order), course_end(order)
        if begin is None or end is None:
            continue
        if runs and begin - runs[-1].end <= MAX_GAP:
            prev = runs[-1]
            runs[-1] = Run(prev.start, max(prev.end, end), (*prev.orders, order))
        else:
            runs.append(Run(begin, end, (order,)))
    return runs
