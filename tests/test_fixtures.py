"""Every fixture under fixtures/<rule-id>/ fires its rule ("-in") or keeps it silent ("-out")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from cds_service import schemas
from tests.conftest import FIXTURES, cards_for, load_fixture, post_hook

RULE_FIXTURES = sorted(p for p in FIXTURES.glob("*/*.json") if p.stem.endswith(("-in", "-out")))


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def validate_fhir(resource: dict[str, Any]) -> None:
    """Raise when the resource is not valid FHIR R4 (R4B models fit these resources)."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_fixture_fires_or_stays_silent(client: Any, path: Path) -> None:
    rule_id = path.parent.name
    response = post_hook(client, load_fixture(path))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert schemas.validation_errors("cds-response", body) == []
    found = cards_for(response, rule_id)
    if path.stem.endswith("-in"):
        assert len(found) == 1, f"{rule_id} should fire exactly once"
        card = found[0]
        assert len(card["summary"]) < 140
        assert card["source"]["url"].startswith("https://")
        for suggestion in card.get("suggestions", []):
            for action in suggestion["actions"]:
                if "resource" in action:
                    validate_fhir(action["resource"])
    else:
        assert found == [], f"{rule_id} should stay silent"


def test_every_rule_has_fixtures_on_both_sides(app: Any) -> None:
    rules = app.extensions["cds_runtime"].rules
    for rule_id in rules:
        stems = [p.stem for p in (FIXTURES / rule_id).glob("*.json")]
        assert any(s.endswith("-in") for s in stems), f"no -in fixture for {rule_id}"
        assert any(s.endswith("-out") for s in stems), f"no -out fixture for {rule_id}"
