"""The systemic group's private helpers and the picture's Observation.code text."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import build_picture
from cds_service.rules import _systemic as sx
from cds_service.terminology import Terminology
from tests.conftest import NOW, load_fixture
from tests.rules._systemic_helpers import silent


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return Terminology.load()


def _obs(code: str | None, text: str, when: str | None, **extra: Any) -> dict[str, Any]:
    res: dict[str, Any] = {"resourceType": "Observation", "status": "final", "code": {"text": text}}
    if code:
        res["code"]["coding"] = [{"system": "http://loinc.org", "code": code}]
    if when:
        res["effectiveDateTime"] = when
    res.update(extra)
    return res


def _picture(terminology: Terminology, resources: list[dict[str, Any]]) -> Any:
    return build_picture(
        hook="patient-view",
        context={"patientId": "p1", "userId": "Practitioner/u"},
        resources=resources,
        medications={},
        terminology=terminology,
        now=NOW,
    )


def test_observation_keeps_its_code_text(terminology: Terminology) -> None:
    picture = _picture(terminology, [_obs(None, "QuantiFERON-TB Gold Plus", "2026-10-01")])
    assert picture.observations[0].code_text == "QuantiFERON-TB Gold Plus"


def test_text_only_tb_result_counts_within_window(terminology: Terminology) -> None:
    picture = _picture(terminology, [_obs(None, "QuantiFERON-TB Gold Plus", "2025-11-22")])
    assert sx.has_result_within(picture, "lab-tb", 365)
    assert not sx.has_result_within(picture, "lab-tb", 364)


def test_cancelled_result_does_not_count(terminology: Terminology) -> None:
    picture = _picture(
        terminology, [_obs("2160-0", "Creatinine", "2026-11-20", status="cancelled")]
    )
    assert not sx.has_result_within(picture, "lab-creatinine", 30)


def test_latest_weight_converts_pounds(terminology: Terminology) -> None:
    old = _obs("29463-7", "Body weight", "2026-01-01", valueQuantity={"value": 30, "code": "kg"})
    new = _obs(
        "29463-7", "Body weight", "2026-11-01", valueQuantity={"value": 88, "code": "[lb_av]"}
    )
    assert sx.latest_weight_kg(_picture(terminology, [old, new])) == 39.9


def test_weight_with_unknown_unit_is_unknown(terminology: Terminology) -> None:
    obs = _obs("29463-7", "Body weight", "2026-11-01", valueQuantity={"value": 40, "code": "st"})
    assert sx.latest_weight_kg(_picture(terminology, [obs])) is None


@pytest.mark.parametrize(
    ("rule", "name"),
    [
        ("oral-jak-screening", "upadacitinib-no-screening-in"),
        ("cyclosporine-monitoring", "cyclosporine-no-checks-in"),
        ("biologic-label-check", "tralokinumab-age-11-in"),
    ],
)
def test_rules_reading_observations_are_silent_when_they_are_unavailable(
    hooks: Any, rule: str, name: str
) -> None:
    body = load_fixture(f"{rule}/{name}.json")
    body["prefetch"].pop("observations")  # no prefetch and no fhirServer: unavailable
    assert silent(hooks, rule, body)


def test_eye_rule_is_silent_when_medications_are_unavailable(hooks: Any) -> None:
    body = load_fixture("eye-symptoms-on-biologic/dupilumab-conjunctivitis-in.json")
    body["prefetch"].pop("medications")
    assert silent(hooks, "eye-symptoms-on-biologic", body)
