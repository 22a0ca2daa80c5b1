"""A draft's dosageInstruction of the wrong type costs the dosage facts, never the rule.

`dosageInstruction` is read by the picture through the defensive accessors; the two rules
that also read the raw draft (the very potent steroid limits, the dupilumab label dose)
raised TypeError on a scalar there, so the rule failed (logged as an error, its card lost)
instead of deciding from what else the order says.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from tests.conftest import FIXTURES, SERVICE_FOR_HOOK, load_fixture
from tests.hookcall import HookCaller

CASES = sorted(
    [
        *(FIXTURES / "tcs-very-potent-limits").glob("*-in.json"),
        *(FIXTURES / "biologic-label-check").glob("dupilumab-*-in.json"),
    ]
)


def _drafts(body: dict[str, Any]) -> list[dict[str, Any]]:
    entries = body["context"]["draftOrders"].get("entry", [])
    return [e["resource"] for e in entries if e["resource"]["resourceType"] == "MedicationRequest"]


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.rule}: {r.error} at {r.at}" for r in caplog.records if r.msg == "rule failed"]  # type: ignore[attr-defined]


def _post(hooks: HookCaller, body: dict[str, Any]) -> None:
    response = hooks.post(f"/cds-services/{SERVICE_FOR_HOOK[body['hook']]}", json=body)
    assert response.status_code == 200


@pytest.mark.parametrize("value", [3, 2.5, True, "twice daily"])
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_scalar_dosage_instruction_fails_no_rule(
    hooks: HookCaller, caplog: pytest.LogCaptureFixture, path: Any, value: Any
) -> None:
    body = copy.deepcopy(load_fixture(path))
    for draft in _drafts(body):
        draft["dosageInstruction"] = value
    with caplog.at_level(logging.ERROR):
        _post(hooks, body)
    assert _failures(caplog) == []


@pytest.mark.parametrize(
    "damage",
    [
        {"doseAndRate": 5},
        {"doseAndRate": [{"doseQuantity": {"value": 300, "unit": "mg"}}], "frequency": "x"},
        {"frequency": [1]},
    ],
    ids=["doseAndRate-scalar", "frequency-text", "frequency-list"],
)
def test_malformed_dupilumab_dose_fails_no_rule(
    hooks: HookCaller, caplog: pytest.LogCaptureFixture, damage: dict[str, Any]
) -> None:
    body = copy.deepcopy(
        load_fixture("biologic-label-check/dupilumab-age-10-30-kg-300-mg-every-4-weeks-in.json")
    )
    for draft in _drafts(body):
        for dosage in draft["dosageInstruction"]:
            if "doseAndRate" in damage:
                dosage["doseAndRate"] = damage["doseAndRate"]
            if "frequency" in damage:
                dosage["timing"]["repeat"]["frequency"] = damage["frequency"]
    with caplog.at_level(logging.ERROR):
        _post(hooks, body)
    assert _failures(caplog) == []
