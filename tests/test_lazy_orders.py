"""Past orders build their details (sites, instructions, course, quantity, reasons) on first
read, and read exactly what a draft, built eagerly, reads of the same resource."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cds_service.picture.dosage import DETAIL_FIELDS, first_repeat, first_timing
from cds_service.picture.orders import build_order
from cds_service.terminology import Terminology
from tests.conftest import FIXTURES

LAZY_PARTS = ("details", "placement", "duration_days")


def _requests() -> list[dict[str, Any]]:
    """Every MedicationRequest of every fixture (drafts and prefetched ones)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("resourceType") == "MedicationRequest":
                found[json.dumps(value, sort_keys=True)] = value
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(FIXTURES.glob("*/*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return list(found.values())


REQUESTS = _requests()


@pytest.fixture(scope="module")
def term() -> Terminology:
    return Terminology.load()


def test_the_fixtures_hold_orders_with_every_kind_of_detail() -> None:
    assert len(REQUESTS) > 100
    for element in ("dosageInstruction", "dispenseRequest", "reasonCode"):
        assert any(element in r for r in REQUESTS), element


def test_past_orders_read_their_details_as_drafts_do(term: Terminology) -> None:
    for res in REQUESTS:
        draft = build_order(res, {}, term, is_draft=True, in_scope=True)
        past = build_order(res, {}, term, is_draft=False, in_scope=False)
        assert not any(part in past.__dict__ for part in LAZY_PARTS)
        for name in DETAIL_FIELDS:
            assert getattr(past, name) == getattr(draft, name), (res.get("id"), name)


def test_a_past_order_is_classified_and_dated_without_reading_its_details(
    term: Terminology,
) -> None:
    res = {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "completed",
        "medicationCodeableConcept": {"text": "clobetasol propionate 0.05% ointment"},
        "authoredOn": "2026-01-05",
        "dosageInstruction": [
            {"text": "apply to the eyelids for 2 weeks", "timing": {"repeat": {"frequency": 2,
             "period": 1, "periodUnit": "d", "boundsPeriod": {"start": "2026-01-06"}}}}
        ],
    }  # fmt: skip
    order = build_order(res, {}, term, is_draft=False, in_scope=False)
    assert order.is_a("tcs") and order.start.isoformat() == "2026-01-06"
    assert order.per_day == 2.0
    assert not any(part in order.__dict__ for part in LAZY_PARTS)
    assert order.duration_days == 14.0  # from the text: reads the instructions
    assert "details" in order.__dict__ and "placement" not in order.__dict__
    assert order.sites == {"eyelid"}
    assert order.site_evidence == "the instructions"


def test_an_unreadable_draft_is_still_refused_when_built(
    term: Terminology, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cds_service.picture import dosage

    def broken(*_args: Any) -> Any:
        raise ValueError("unreadable")

    monkeypatch.setattr(dosage, "_instructions", broken)
    res = REQUESTS[0]
    with pytest.raises(ValueError):
        build_order(res, {}, term, is_draft=True, in_scope=True)
    past = build_order(res, {}, term, is_draft=False, in_scope=False)
    assert past.instruction_text is None and past.quantity_value is None


ODD_DOSAGES: list[Any] = [
    None, [], {}, "text", [None, "x"], [{"timing": None}, {"timing": {"repeat": {"period": 2}}}],
    {"timing": {"repeat": {"frequency": 1}}}, [{"timing": "daily"}], [{"timing": {"repeat": 3}}],
    [{"text": "no timing"}, {"timing": {"code": {"text": "BID"}}}],
]  # fmt: skip


@pytest.mark.parametrize(
    "res", [{"dosageInstruction": d} for d in ODD_DOSAGES] + _requests(), ids=lambda _r: ""
)
def test_first_repeat_is_first_timings_repeat(res: dict[str, Any]) -> None:
    assert first_repeat(res) == first_timing(res)[1]
