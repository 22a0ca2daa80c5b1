"""Codes capitalised by an export ("ACTIVE", "Completed"): FHIR codes are lower case, but a
capital letter must not make an order on record look void (clinical-rules §5.5 counts active,
on-hold, completed and stopped emollient orders as on record)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cds_service.picture.access import code
from tests.conftest import cards_for, load_fixture, post_hook

RULE = "emollient-not-prescribed"


def _orders(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for value in body["prefetch"].values()
        if isinstance(value, dict)
        for entry in value.get("entry", [])
        if entry.get("resource", {}).get("resourceType") == "MedicationRequest"
    ]


@pytest.mark.parametrize("written", ["active", "ACTIVE", "Active", " Active "])
def test_an_emollient_order_on_record_counts_however_its_status_is_cased(
    client: Any, written: str
) -> None:
    body = copy.deepcopy(load_fixture(f"{RULE}/triamcinolone-emollient-active-out.json"))
    orders = [o for o in _orders(body) if o.get("status") == "active"]
    assert orders  # the fixture's emollient order on record
    for order in orders:
        order["status"] = written
    assert cards_for(post_hook(client, body), RULE) == []


def test_a_cancelled_emollient_is_still_no_emollient_in_capitals(client: Any) -> None:
    body = copy.deepcopy(load_fixture(f"{RULE}/emollient-cancelled-only-sign-in.json"))
    for order in _orders(body):
        if order.get("status") == "cancelled":
            order["status"] = "CANCELLED"
    assert len(cards_for(post_hook(client, body), RULE)) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("active", "active"), ("ON-HOLD", "on-hold"), ("Entered-In-Error", "entered-in-error"),
     (" cancelled ", "cancelled"), ("\tdraft", "draft"),
     (" ", None), ("", None), (None, None), (3, None), (["active"], None)],
)  # fmt: skip
def test_code_reads_a_code_in_any_case(value: Any, expected: str | None) -> None:
    assert code(value) == expected
