"""Shared helpers for the antihistamine, mimic, infection, irritant and care-plan rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from cds_service.picture import ConditionFact, MedicationOrder, PatientPicture
from cds_service.picture.frequency import timing_code_words

# Oral aciclovir for eczema herpeticum, five times a day for 5 days. Children (Oxford University
# Hospitals paediatric antimicrobial guide, "Infected eczema (Herpeticum)"): 1-23 months 100 mg,
# 2-11 years 200 mg, as the 200 mg/5 mL oral suspension (the Zovirax SmPC: "the 200mg/5ml
# suspension is the more appropriate treatment for herpes simplex"; no capsule for a child).
# From 12 years no eczema-herpeticum-specific oral aciclovir dose could be verified (the OUH
# guide gives valaciclovir from 12 y; NICE CKS not retrievable here), so the Zovirax SmPC adult
# herpes simplex dose: 200 mg five times daily for 5 days; the card states it and its source.
ACICLOVIR_CHILD_SOURCE = "OUH paediatric antimicrobial guide, eczema herpeticum; Zovirax SmPC"
ACICLOVIR_ADULT_SOURCE = "Zovirax SmPC (emc), herpes simplex treatment, adult dose"


def aciclovir_dose(age_months: int | None) -> tuple[str, str, str] | None:
    """(form, dose words, source) of the oral aciclovir order for the age; None under 1 month
    (intravenous in hospital) or without an age. Form: "suspension" or "capsule"."""
    if age_months is None or age_months < 1:
        return None
    if age_months < 24:
        return "suspension", "100 mg (2.5 mL of 200 mg/5 mL suspension)", ACICLOVIR_CHILD_SOURCE
    if age_months < 144:
        return "suspension", "200 mg (5 mL of 200 mg/5 mL suspension)", ACICLOVIR_CHILD_SOURCE
    return "capsule", "200 mg (one 200 mg capsule)", ACICLOVIR_ADULT_SOURCE


# FHIR event-timing codes for bedtime / night, and the same in instruction text.
BEDTIME_WHEN = frozenset({"HS", "NIGHT"})
# timing.code: FHIR / v3 GTSAbbreviation BED, and the QHS / HS EHRs write there.
BEDTIME_CODES = frozenset({"BED", "HS", "QHS"})
_BEDTIME_TEXT = re.compile(
    r"\b(?:bed ?time|at bed|before bed|at night|night ?time|night-time|nightly|every night"
    r"|each night|q\.? ?h\.? ?s\.?|hs|before sleep)\b",
    re.IGNORECASE,
)


def is_bedtime(order: MedicationOrder) -> bool:
    """Timed at bedtime: timing.repeat.when HS/NIGHT, a timing.code BED / QHS (or one whose
    display or text says bedtime), or bedtime words in the instructions."""
    if BEDTIME_WHEN & {w.upper() for w in order.when}:
        return True
    if order.instruction_text and _BEDTIME_TEXT.search(order.instruction_text):
        return True
    return any(
        w.strip().upper() in BEDTIME_CODES or _BEDTIME_TEXT.search(w)
        for w in timing_code_words(order.raw)
    )


TIMING_CODES = "once-daily per-day at-times as-needed untimed"


def timing_values(order: MedicationOrder) -> dict[str, str]:
    """How the draft is timed: `timing`, one of TIMING_CODES (the card file words it), with
    `per_day` or `times` when the code needs them."""
    if order.per_day:
        n = order.per_day
        return {"timing": "once-daily"} if n == 1 else {"timing": "per-day", "per_day": f"{n:g}"}
    if order.when:
        return {"timing": "at-times", "times": ", ".join(order.when)}
    return {"timing": "as-needed" if order.as_needed else "untimed"}


def days_ago(picture: PatientPicture, when: date | None) -> int | None:
    """Whole days between `when` and the call's date (None without a date or in the future)."""
    if when is None or when > picture.today:
        return None
    return (picture.today - when).days


def acute_active(picture: PatientPicture, condition: ConditionFact, days: int) -> bool:
    """An acute red flag (eczema herpeticum, cellulitis) that is active now. Without a
    clinicalStatus (an encounter diagnosis may carry none) the model counts a condition as
    active; for an acute episode that holds only when it is dated within `days` or undated:
    a cellulitis diagnosed years ago with no status recorded is not urgent today."""
    if not condition.active:
        return False
    if condition.clinical_status is not None:
        return True
    ago = days_ago(picture, latest_date(condition))
    return ago is None or ago <= days


def latest_date(condition: ConditionFact) -> date | None:
    """The most recent of onset and recorded date."""
    dates = [d for d in (condition.onset, condition.recorded) if d is not None]
    return max(dates) if dates else None


def condition_label(conditions: Iterable[ConditionFact], fallback: str) -> str:
    """The first condition's text or display, for the card."""
    for c in conditions:
        if c.text:
            return c.text
        for _s, _c, display in c.codings:
            if display:
                return display
    return fallback


MORE_CODES = "one several"


def more_values(orders: list[MedicationOrder]) -> dict[str, str | int]:
    """Whether several drafts match: `more` is `one` or `several` (the card file words it),
    `more_drafts` how many beyond the first."""
    extra = max(len(orders) - 1, 0)
    return {"more": "several" if extra else "one", "more_drafts": extra}
