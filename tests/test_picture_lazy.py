"""Observations are built on first read, once, and read exactly as an eager build reads them."""

from __future__ import annotations

from typing import Any

from cds_service.picture import build_picture
from cds_service.picture.lazy import LazyFacts
from cds_service.picture.records import build_observation
from cds_service.terminology import Terminology
from tests.conftest import NOW

LOINC = "http://loinc.org"


def _obs(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"o{i}",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "29463-7", "display": "Body weight"}]},
        "effectiveDateTime": f"2026-0{i}-01",
        "valueQuantity": {"value": 20 + i, "unit": "kg"},
        **extra,
    }


def test_observations_are_built_on_first_read_and_equal_the_eager_facts() -> None:
    resources = [_obs(1), _obs(2), {"resourceType": "Observation", "code": "not a concept"}]
    picture = build_picture(
        hook="patient-view",
        context={"patientId": "p1"},
        resources=resources,
        medications={},
        terminology=Terminology.load(),
        now=NOW,
    )
    lazy = picture.observations
    assert isinstance(lazy, LazyFacts) and not lazy.built
    expected = tuple(build_observation(r) for r in resources)
    assert lazy == expected and lazy.built
    assert len(lazy) == 3 and lazy[0].value == 21.0 and list(lazy)[1].effective.month == 2


def test_unreadable_resources_are_skipped() -> None:
    def build(res: Any) -> int | None:
        return None if res.get("skip") else res["n"]

    facts = LazyFacts([{"n": 1}, {"skip": True}, {"n": 3}], build)
    assert tuple(facts) == (1, 3) and facts == (1, 3) and facts[-1] == 3
    assert facts != [1, 3] and hash(facts) == hash((1, 3))
