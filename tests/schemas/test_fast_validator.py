"""jsonschema-rs (the fast "is it valid?") and Python jsonschema (the messages) agree everywhere."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_service import schemas
from tests.conftest import FIXTURES
from tests.schemas.helpers import EXAMPLES_DIR

CONTEXTS = {"order-select", "order-sign", "patient-view"}


def _corpus() -> list[tuple[str, Any]]:
    """(schema, instance) pairs: every fixture request and its context, every spec example."""
    found: list[tuple[str, Any]] = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        body = json.loads(path.read_text())
        found.append(("hook-request", body))
        if body.get("hook") in CONTEXTS:
            found.append((schemas.CONTEXT_SCHEMAS[body["hook"]], body["context"]))
    for path in sorted(EXAMPLES_DIR.rglob("*.json")):  # vendored; classified in test_spec_examples
        example = json.loads(path.read_text())
        for name in schemas.SCHEMA_NAMES:  # valid for some, invalid for the others
            found.append((name, example))
    return found


CORPUS = _corpus()


def _agree(name: str, instance: Any) -> None:
    slow = not list(schemas.validator(name).iter_errors(instance))
    assert schemas.fast_validator(name).is_valid(instance) is slow, (name, instance)


def test_the_corpus_has_both_verdicts() -> None:
    verdicts = {not list(schemas.validator(n).iter_errors(i)) for n, i in CORPUS}
    assert verdicts == {True, False}
    assert len(CORPUS) > 300


@pytest.mark.parametrize(("name", "instance"), CORPUS)
def test_both_validators_give_the_same_verdict(name: str, instance: Any) -> None:
    _agree(name, instance)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
EDGE_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "x\n",
        "https://ehr.example/fhir",
        "https://ehr.example/fhir\n",
        "order-sign",
        "Patient/1",
    ]
)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*here, i))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_requests_get_the_same_verdict(data: st.DataObject) -> None:
    """Valid requests with one member replaced or deleted: near the edges of the schemas."""
    name, instance = data.draw(st.sampled_from(CORPUS[:400]))
    mutated = copy.deepcopy(instance)
    paths = [p for p in _paths(mutated) if p]
    if paths:
        path = data.draw(st.sampled_from(paths))
        parent = mutated
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(JSON | EDGE_STRINGS)
    _agree(name, mutated)


def test_messages_still_come_from_python_jsonschema(tmp_path: Path) -> None:
    errors = schemas.validation_errors("hook-request", {"hook": "order-sign", "context": {}})
    assert errors == ["$.hookInstance: required property missing"]
