"""Property-based fuzzing of the hook and feedback endpoints: never a 500, never a non-JSON body."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, SERVICE_FOR_HOOK, load_fixture
from tests.reliability.conftest import assert_well_formed

SEEDS = [
    load_fixture(FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"),
    load_fixture(FIXTURES / "tcs-potent-on-sensitive-site/order-select-selected-face-in.json"),
    load_fixture(FIXTURES / "patch-test-suggested/two-courses-eyelid-6-months-in.json"),
]
SERVICES = [*SERVICE_FOR_HOOK.values(), "no-such-service"]
FUZZ = settings(
    max_examples=300,
    deadline=None,  # the app fixture's first call warms caches; hangs are caught by timeouts
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "2026-13-45", "not-a-date", "1996-05-14T25:61:00Z", "P1D", "-1"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``node`` (dict keys and list indices)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated_requests(draw: st.DrawFn) -> dict[str, Any]:
    """A real fixture request with 1-3 values replaced by random JSON or removed."""
    body = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(body)
        path = draw(st.sampled_from(paths))
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return body


def _post(client: Any, service: str, data: bytes | str) -> Any:
    return client.post(f"/cds-services/{service}", data=data, content_type="application/json")


@FUZZ
@given(service=st.sampled_from(SERVICES), raw=st.binary(max_size=300))
def test_arbitrary_bytes_get_a_json_answer(module_client, service: str, raw: bytes) -> None:
    assert_well_formed(_post(module_client, service, raw))
    assert_well_formed(_post(module_client, f"{service}/feedback", raw), hook=False)


@FUZZ
@given(service=st.sampled_from(SERVICES), value=json_values)
def test_arbitrary_json_gets_a_json_answer(module_client, service: str, value: Any) -> None:
    assert_well_formed(_post(module_client, service, json.dumps(value)))
    assert_well_formed(_post(module_client, f"{service}/feedback", json.dumps(value)), hook=False)


@settings(FUZZ, max_examples=1500)
@given(body=mutated_requests(), to_own_service=st.booleans())
def test_mutated_hook_requests_never_fail(
    module_client, body: dict[str, Any], to_own_service
) -> None:
    """Wrong types in any field, missing fields, bad dates, prefetch values of the wrong kind."""
    hook = body.get("hook")
    own = SERVICE_FOR_HOOK.get(hook) if isinstance(hook, str) else None
    service = own if to_own_service and own else SERVICE_FOR_HOOK["patient-view"]
    assert_well_formed(_post(module_client, service, json.dumps(body)))


feedback_entries = st.fixed_dictionaries(
    {},
    optional={
        "card": json_values | st.uuids().map(str),
        "outcome": json_values | st.sampled_from(["accepted", "overridden"]),
        "outcomeTimestamp": json_values
        | st.datetimes().map(lambda d: d.isoformat() + "Z")
        | st.sampled_from(["2026-02-30T10:00:00Z", "2026-11-22T10:00:60Z", "2026-11-22t10:00z"]),
        "acceptedSuggestions": json_values | st.lists(st.fixed_dictionaries({"id": json_values})),
        "overrideReason": json_values,
    },
)


@FUZZ
@given(entries=st.lists(feedback_entries, max_size=3) | json_values)
def test_feedback_is_stored_or_refused_never_fails(module_client, entries: Any) -> None:
    body = json.dumps({"feedback": entries})
    assert_well_formed(_post(module_client, "eczema-order-sign/feedback", body), hook=False)
