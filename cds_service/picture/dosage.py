"""How a MedicationRequest says the drug is used: schedule, instructions, course, quantity,
reasons (and, in `order_sites.py`, body sites).

A chart's history can hold a thousand past orders, and the rules read most of them only for
their drug class, schedule and dates (`orders.build_order`, eager). The other details are built
from the order's resource the first time a rule reads one of them (`MedicationOrder.details`),
by the same code whether that is a draft (always read) or a past order (mostly never):
laziness changes when the work is done, never its result.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from . import access as fx
from .course import course as course  # re-exported: MedicationOrder reads them from here
from .course import course_days as course_days
from .course import duration_in_text as duration_in_text
from .course import first_repeat as first_repeat
from .order_sites import OrderSites

if TYPE_CHECKING:
    from cds_service.terminology import DrugInfo, Terminology

T = TypeVar("T")
log = logging.getLogger(__name__)


class OrderDetails(msgspec.Struct, frozen=True):
    """What `details()` reads of one order; every field is also a `MedicationOrder` field."""

    site_codings: tuple[fx.Coding, ...] = ()
    instruction_text: str | None = None
    as_needed: bool = False
    quantity_value: float | None = None
    quantity_unit: str | None = None
    refills: int | None = None
    reason_codings: tuple[fx.Coding, ...] = ()
    reason_references: tuple[str, ...] = ()


class Schedule(msgspec.Struct, frozen=True):
    """timing.repeat of the first dosage that has a timing: read eagerly, as many rules ask
    how often a past order was used (`build_order`)."""

    frequency: float | None = None  # administrations per period
    period_days: float | None = None
    days_of_week: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    start: date | None = None  # boundsPeriod
    end: date | None = None


# Every lazily read MedicationOrder attribute (for tests comparing whole orders).
DETAIL_FIELDS = (*OrderSites.__struct_fields__, *OrderDetails.__struct_fields__, "duration_days")


class Detail(Generic[T]):
    """A `MedicationOrder` attribute read from one of its lazily built parts (`source`)."""

    def __init__(self, source: str = "details") -> None:
        self.source = source

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, order: Any, owner: type | None = None) -> T:
        found: T = getattr(getattr(order, self.source), self.name)
        return found


def first_timing(res: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The order's dosage instructions (dicts only) and the first one's timing.repeat."""
    dosages = [d for d in fx.as_list(res.get("dosageInstruction")) if isinstance(d, dict)]
    timing = next((d["timing"] for d in dosages if d.get("timing") is not None), None)
    return dosages, fx.obj(timing.get("repeat")) if isinstance(timing, dict) else {}


def schedule(repeat: Mapping[str, Any]) -> Schedule:
    """Frequency, period, days, times of day and boundsPeriod of a timing.repeat."""
    if not repeat:
        return NO_SCHEDULE
    period = repeat.get("period")
    bounds = repeat.get("boundsPeriod")
    start = end = None
    if isinstance(bounds, dict):
        start, end = fx.parse_date(bounds.get("start")), fx.parse_date(bounds.get("end"))
    days: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    if "dayOfWeek" in repeat:
        days = tuple([d for d in fx.as_list(repeat["dayOfWeek"]) if isinstance(d, str)])
    if "when" in repeat:
        when = tuple([w for w in fx.as_list(repeat["when"]) if isinstance(w, str)])
    return Schedule(
        frequency=fx.number(repeat.get("frequency")),
        period_days=(
            fx.in_days(period, repeat.get("periodUnit"), None) if period is not None else None
        ),
        days_of_week=days,
        when=when,
        start=start,
        end=end,
    )


NO_SCHEDULE = Schedule()


def details(res: Mapping[str, Any], terminology: Terminology, drug: DrugInfo) -> OrderDetails:
    """Build the details of one order; an unreadable part leaves them empty (and is logged)."""
    try:
        return read_details(res, terminology, drug)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        log.info("order details unreadable: %s", type(exc).__name__)
        return OrderDetails()


def read_details(res: Mapping[str, Any], terminology: Terminology, drug: DrugInfo) -> OrderDetails:
    """`details`, raising on an unreadable resource (ValueError, TypeError, ...)."""
    items = res.get("dosageInstruction")
    dosages = [
        d for d in (items if items.__class__ is list else fx.as_list(items)) if isinstance(d, dict)
    ]
    instruction, site_codings, as_needed = _instructions(res, dosages)
    number, text = fx.number, fx.text
    quantity_value = quantity_unit = refills = None
    dispense = res.get("dispenseRequest")
    if isinstance(dispense, dict):
        quantity = dispense.get("quantity")
        if isinstance(quantity, dict):
            quantity_value = number(quantity.get("value"))
            quantity_unit = text(quantity.get("code")) or text(quantity.get("unit"))
        refills = number(dispense.get("numberOfRepeatsAllowed"))
    reasons: tuple[fx.Coding, ...] = ()
    if "reasonCode" in res:
        reasons = tuple([c for r in fx.dicts(res["reasonCode"]) for c in fx.codings(r)])
    refs: tuple[str, ...] = ()
    if "reasonReference" in res:
        found = [fx.reference(r) for r in fx.dicts(res["reasonReference"])]
        refs = tuple([ref for ref in found if ref])
    # Positional, in OrderDetails' order (checked below): a past order's first detail read.
    return OrderDetails(
        site_codings,
        instruction,
        as_needed,
        quantity_value,
        quantity_unit,
        int(refills) if refills is not None and refills >= 0 else None,
        reasons,
        refs,
    )


_DETAIL_ORDER = ("site_codings", "instruction_text", "as_needed", "quantity_value",
                 "quantity_unit", "refills", "reason_codings", "reason_references")  # fmt: skip
if OrderDetails.__struct_fields__ != _DETAIL_ORDER:  # a reordered struct must not load
    raise ImportError("OrderDetails' fields changed: update read_details")


def _instructions(
    res: Mapping[str, Any], dosages: list[dict[str, Any]]
) -> tuple[str | None, tuple[fx.Coding, ...], bool]:
    """The instruction text (texts, patient texts, site texts, notes, in that order), the
    coded sites and whether any dosage is as needed."""
    label = fx.label
    texts: list[str | None] = []
    patient_texts: list[str | None] = []
    site_texts: list[str | None] = []
    sites: list[fx.Coding] = []
    as_needed = False
    for d in dosages:  # an absent text reads as None, which the join below drops anyway
        if "text" in d:
            texts.append(label(d["text"]))  # free text: normalised (cds_service/text.py)
        if "patientInstruction" in d:
            patient_texts.append(label(d["patientInstruction"]))
        if "additionalInstruction" in d:  # CodeableConcepts: "Apply to face and neck"
            patient_texts += [fx.concept_text(c) for c in fx.dicts(d["additionalInstruction"])]
        site = d.get("site")
        if site is not None:
            sites.extend(fx.codings(site))
            if isinstance(site, dict):
                site_texts.append(fx.concept_text(site))
        as_needed = as_needed or (
            d.get("asNeededBoolean") is True or "asNeededCodeableConcept" in d
        )
    texts += patient_texts + site_texts
    if "note" in res:
        texts += [label(n.get("text")) for n in fx.dicts(res.get("note"))]
    return " ; ".join([t for t in texts if t]) or None, tuple(sites), as_needed
