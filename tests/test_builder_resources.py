"""Every suggestion builder runs on some fixture, and every resource it builds is valid FHIR R4.

`fhir.resources` (a dev dependency) is the independent judge: the service's own JSON Schemas
check the CDS Hooks envelope, not the R4 resources inside the actions. A builder that no
fixture reaches would never be checked, so the test also asks for every registered key.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from flask import Flask

from cds_service.suggestions import Action, Builder
from tests.conftest import FIXTURES, load_fixture, post_hook

RESOURCE_ACTIONS = ("create", "update")


def _recording(key: str, build: Builder, seen: dict[str, list[Action]]) -> Builder:
    def wrapped(finding: Any, picture: Any) -> list[Action]:
        actions = build(finding, picture)
        seen[key].extend(actions)
        return actions

    return wrapped


def _actions_by_key(app: Flask) -> dict[str, list[Action]]:
    """Post every fixture once with each builder wrapped to record what it returned."""
    runtime = app.extensions["cds_runtime"]
    seen: dict[str, list[Action]] = defaultdict(list)
    wrapped = {key: _recording(key, fn, seen) for key, fn in runtime.builders.items()}
    app.extensions["cds_runtime"] = dataclasses.replace(runtime, builders=wrapped)
    client = app.test_client()
    for path in sorted(FIXTURES.glob("*/*-in.json")):
        assert post_hook(client, load_fixture(path)).status_code == 200, path
    return seen


def test_every_builder_is_reached_and_builds_valid_r4_resources(app: Flask) -> None:
    keys = set(app.extensions["cds_runtime"].builders)
    seen = _actions_by_key(app)
    assert sorted(keys - {k for k, actions in seen.items() if actions}) == []
    checked = 0
    for key, actions in sorted(seen.items()):
        for action in actions:
            if action["type"] not in RESOURCE_ACTIONS:
                assert "resource" not in action, key  # delete names its target by resourceId
                continue
            resource = action["resource"]
            model = get_fhir_model_class(resource["resourceType"])
            model.model_validate(resource)  # raises, naming the element, when not valid R4
            checked += 1
    assert checked > len(keys)  # most builders create or update something
