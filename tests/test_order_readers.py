"""The course and details readers are fast paths of what they were: each answers exactly as
the general code it replaced (kept here as the reference) for every fixture, realistic and
bench order, and for malformed values of every element they read."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import pytest

from bench import charts
from cds_service.picture import access as fx
from cds_service.picture.course import course_days, duration_in_text, first_repeat
from cds_service.picture.dosage import OrderDetails, details, first_timing, read_details
from cds_service.terminology import DrugInfo, Terminology
from tests.realistic.case import load_cases
from tests.test_lazy_orders import REQUESTS

# The readers as they were (cds_service/picture/dosage.py before the fast paths).


def _old_course_days(res: Mapping[str, Any], instruction: Callable[[], str | None]) -> float | None:
    """The course length in days: timing boundsDuration, else boundsPeriod, else one written in
    the instructions (`instruction()`, read only then), else expectedSupplyDuration."""
    repeat = first_repeat(res) if "dosageInstruction" in res else {}
    duration = None
    if repeat:
        if "boundsDuration" in repeat:
            duration = fx.duration_days(repeat["boundsDuration"])
        bounds = repeat.get("boundsPeriod")
        if duration is None and isinstance(bounds, dict):
            start, end = fx.parse_date(bounds.get("start")), fx.parse_date(bounds.get("end"))
            if start and end and end >= start:
                duration = float((end - start).days)
    if duration is None and not repeat.get("boundsDuration"):
        text = instruction()
        duration = duration_in_text(text) if text else None
    dispense = res.get("dispenseRequest")
    if duration is None and isinstance(dispense, dict) and "expectedSupplyDuration" in dispense:
        duration = fx.duration_days(dispense["expectedSupplyDuration"])
    return duration


def _old_read_details(
    res: Mapping[str, Any], terminology: Terminology, drug: DrugInfo
) -> OrderDetails:
    """`details`, raising on an unreadable resource (ValueError, TypeError, ...)."""
    dosages, repeat = first_timing(res)
    instruction, site_codings, as_needed = _old_instructions(res, dosages)
    number, text = fx.number, fx.text
    quantity_value = quantity_unit = refills = None
    dispense = res.get("dispenseRequest")
    if isinstance(dispense, dict):
        quantity = dispense.get("quantity")
        if isinstance(quantity, dict):
            quantity_value = number(quantity.get("value"))
            quantity_unit = text(quantity.get("code")) or text(quantity.get("unit"))
        refills = number(dispense.get("numberOfRepeatsAllowed"))
    reasons = tuple([c for r in fx.dicts(res.get("reasonCode")) for c in fx.codings(r)])
    refs = [fx.reference(r) for r in fx.dicts(res.get("reasonReference"))]
    return OrderDetails(
        site_codings=site_codings,
        instruction_text=instruction,
        as_needed=as_needed,
        quantity_value=quantity_value,
        quantity_unit=quantity_unit,
        refills=int(refills) if refills is not None and refills >= 0 else None,
        reason_codings=reasons,
        reason_references=tuple([ref for ref in refs if ref]),
    )


def _old_instructions(
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
    for d in dosages:
        texts.append(label(d.get("text")))  # free text: normalised (cds_service/text.py)
        patient_texts.append(label(d.get("patientInstruction")))
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


def _outcome(read: Callable[[], Any]) -> str:
    """What a reader gives (repr: -0.0 is not 0.0 here), or the exception it raises."""
    try:
        return repr(read())
    except Exception as exc:  # noqa: BLE001 - the exception's type is the outcome
        return f"raises {type(exc).__name__}"


def _orders(value: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("resourceType") == "MedicationRequest":
            found.append(value)
        for item in value.values():
            _orders(item, found)
    elif isinstance(value, list):
        for item in value:
            _orders(item, found)
    return found


def _corpus() -> list[dict[str, Any]]:
    found = list(REQUESTS)
    for case in load_cases():
        _orders(case.request(), found)
    for mix, size in (("medications", 1300), ("default", 300)):
        _orders(charts.chart(size, "order-sign", seed=0, mix=mix), found)
    return found


ODD: list[Any] = [
    None, True, False, 0, -0.0, 0.0, 1, -1, 7, 7.5, 2.0**53, 10**400, math.inf, -math.inf,
    math.nan, 36500, 36500.0, 36501, 5214, 5215, 100, 101, "7", "", " ", "d", "D", " d", "wk",
    "mo", "a", "s", "min", "h", "day", "days", "weeks", "Weeks", "unknown", [], [7], {}, {"x": 1},
]  # fmt: skip
CODES: list[Any] = [None, "d", "wk", "mo", "a", "s", "min", "h", "D", "d ", "", "x", 1, ["d"], True]


class _Sub(dict):  # type: ignore[type-arg]
    """A dict subclass: read by the general path."""


def _durations() -> list[Any]:
    found: list[Any] = [None, 7, "7 days", [], [{"value": 7, "code": "d"}], _Sub(value=7, code="d")]
    for value in ODD:
        for code in CODES:
            found.append({"value": value, "code": code})
            found.append({"value": value, "code": code, "unit": "days"})
        found.append({"value": value, "unit": "weeks"})
        found.append({"value": value})
    return found


def _variants(res: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`res` with each element the readers take replaced by odd values."""
    out = []
    for duration in _durations():
        changed = copy.deepcopy(dict(res))
        changed["dosageInstruction"] = [{"timing": {"repeat": {"boundsDuration": duration}}}]
        out.append(changed)
        supply = copy.deepcopy(dict(res))
        supply["dosageInstruction"] = [{"text": "apply"}]
        supply["dispenseRequest"] = {"expectedSupplyDuration": duration}
        out.append(supply)
    for value in ODD:
        for key in ("text", "patientInstruction", "site", "additionalInstruction", "timing"):
            changed = copy.deepcopy(dict(res))
            changed["dosageInstruction"] = [{key: value}, {"text": "for 2 weeks", key: value}]
            out.append(changed)
        for key in (
            "reasonCode",
            "reasonReference",
            "note",
            "dosageInstruction",
            "dispenseRequest",
        ):
            changed = copy.deepcopy(dict(res))
            changed[key] = value
            out.append(changed)
            changed = copy.deepcopy(dict(res))
            changed[key] = [value, {"text": value, "reference": value}]
            out.append(changed)
        for end in ("2026-01-01", "2026-03-01", "2025-12-31T10:00:00Z", value):
            period = {"start": "2026-01-01T08:00:00+01:00", "end": end}
            changed = copy.deepcopy(dict(res))
            repeat = {"boundsDuration": value, "boundsPeriod": period}
            changed["dosageInstruction"] = [{"timing": {"repeat": repeat}, "text": "x 3 days"}]
            out.append(changed)
        bounds = copy.deepcopy(dict(res))
        bounds["dosageInstruction"] = [
            {"timing": {"repeat": {"boundsDuration": value, "boundsPeriod": {"start": value}}}},
            {"text": "x 10 days"},
        ]
        out.append(bounds)
    return out


CORPUS = _corpus()
BASE = {
    "resourceType": "MedicationRequest",
    "medicationCodeableConcept": {"text": "clobetasol propionate 0.05% ointment"},
    "dosageInstruction": [{"text": "apply to the face for 2 weeks"}],
}
ODD_ORDERS = _variants(BASE) + _variants(CORPUS[0])


@pytest.fixture(scope="module")
def drug() -> DrugInfo:
    return Terminology.load().classify_drug((), "clobetasol propionate 0.05% ointment")


def test_the_corpus_holds_every_shape_the_fast_paths_take() -> None:
    repeats = [first_repeat(r) for r in CORPUS]
    assert len(CORPUS) > 1000
    assert sum(1 for r in repeats if "boundsDuration" in r) > 100
    assert any("boundsPeriod" in r for r in repeats)  # and in ODD_ORDERS
    assert any("reasonCode" in r for r in CORPUS) and any("reasonReference" in r for r in CORPUS)


UNREADABLE = (AttributeError, TypeError, ValueError, KeyError, IndexError)


def _old_text(res: Mapping[str, Any]) -> str | None:
    """The instruction text as `MedicationOrder.instruction_text` read it (`dosage.details`)."""
    try:
        return _old_read_details(res, None, None).instruction_text  # type: ignore[arg-type]
    except UNREADABLE:
        return None


def _new_course(res: Mapping[str, Any]) -> float | None:
    return course_days(res, partial(lambda r: details(r, None, None).instruction_text, res))  # type: ignore[arg-type]


def _old_course(res: Mapping[str, Any]) -> float | None:
    return _old_course_days(res, partial(_old_text, res))


@pytest.mark.parametrize("orders", [CORPUS, ODD_ORDERS], ids=["charts", "malformed"])
def test_course_days_reads_as_the_general_code(orders: list[dict[str, Any]]) -> None:
    for res in orders:
        new, old = _outcome(partial(_new_course, res)), _outcome(partial(_old_course, res))
        assert new == old, json.dumps(res, default=repr)[:300]


@pytest.mark.parametrize("orders", [CORPUS, ODD_ORDERS], ids=["charts", "malformed"])
def test_read_details_reads_as_the_general_code(
    orders: list[dict[str, Any]], drug: DrugInfo
) -> None:
    for res in orders:  # neither reads the terminology
        new = _outcome(partial(read_details, res, None, drug))  # type: ignore[arg-type]
        old = _outcome(partial(_old_read_details, res, None, drug))  # type: ignore[arg-type]
        assert new == old, json.dumps(res, default=repr)[:300]
