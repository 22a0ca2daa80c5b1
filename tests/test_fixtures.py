"""Every fixture under fixtures/<rule-id>/ fires its rule ("-in") or keeps it silent ("-out").

The fixtures are answered in process (tests/hookcall.py); one fixture per hook also goes
through HTTP and must get the same cards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from cds_service import schemas
from cds_service.runtime import Runtime
from tests.conftest import FIXTURES, SERVICE_FOR_HOOK, cards_for, load_fixture, no_uuids, post_hook
from tests.hookcall import HookCaller

RULE_FIXTURES = sorted(p for p in FIXTURES.glob("*/*.json") if p.stem.endswith(("-in", "-out")))


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def validate_fhir(resource: dict[str, Any]) -> None:
    """Raise when the resource is not valid FHIR R4 (R4B models fit these resources)."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_ids(RULE_FIXTURES))
def test_fixture_fires_or_stays_silent(hooks: HookCaller, path: Path) -> None:
    rule_id = path.parent.name
    response = post_hook(hooks, load_fixture(path))
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


def _first_in_fixture(hook: str) -> Path:
    return next(
        p for p in RULE_FIXTURES if p.stem.endswith("-in") and load_fixture(p)["hook"] == hook
    )


@pytest.mark.parametrize("hook", sorted(SERVICE_FOR_HOOK))
def test_http_answer_is_the_in_process_answer(client: Any, hooks: HookCaller, hook: str) -> None:
    """The in-process answers above stand for HTTP: one fixture per hook, both ways."""
    body = load_fixture(_first_in_fixture(hook))
    over_http = post_hook(client, body)
    assert over_http.status_code == 200, over_http.get_json()
    cards = over_http.get_json()["cards"]
    assert cards, "an -in fixture answers at least one card"
    assert no_uuids(cards) == no_uuids(post_hook(hooks, body).get_json()["cards"])


def test_every_rule_has_fixtures_on_both_sides(started: Runtime) -> None:
    for rule_id in started.rules:
        stems = [p.stem for p in (FIXTURES / rule_id).glob("*.json")]
        assert any(s.endswith("-in") for s in stems), f"no -in fixture for {rule_id}"
        assert any(s.endswith("-out") for s in stems), f"no -out fixture for {rule_id}"
