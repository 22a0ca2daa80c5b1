"""Lone surrogates (JSON's "\\ud800") in any string of a request: a 200 or a 400 (a 412 when the
spoiled string is a prefetched resource's type), never a 500."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, SERVICE_FOR_HOOK, load_fixture
from tests.fhir.fake_fhir import FakeFhirServer, bundle
from tests.reliability.conftest import assert_well_formed

SEEDS = [
    "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json",  # order-sign
    "tcs-potent-on-sensitive-site/order-select-selected-face-in.json",  # order-select
    "eczema-herpeticum/active-patient-view-in.json",  # patient-view
    "immunomodulator-combination/upadacitinib-with-active-dupilumab-in.json",  # two orders
]
LONE = ["\ud800", "\udfff", "a\udc00b", "\udbff\ud800"]  # high, low, inside, reversed pair


def _string_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every string value in `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _string_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _string_paths(value, (*prefix, i))
    elif isinstance(node, str):
        yield prefix


def _statuses(path: tuple[Any, ...]) -> tuple[int, ...]:
    """What a spoiled string at `path` may be answered: a prefetch value whose `resourceType`
    is spoiled is not the resource its key asks for, and without a FHIR server to read it from
    a required key is 412 (fhir/prefetch.py)."""
    spoils_a_type = path[0] == "prefetch" and len(path) == 3 and path[-1] == "resourceType"
    return (200, 400, 412) if spoils_a_type else (200, 400)


def _with(body: dict[str, Any], path: tuple[Any, ...], value: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


def _post(client: FlaskClient, body: Any, path: str | None = None) -> Any:
    # json.dumps writes a lone surrogate as the escape "\ud800": what an EHR's JSON can hold.
    raw = json.dumps(body)
    assert "\\ud" in raw or "\\ud" not in json.dumps(body, ensure_ascii=False)
    url = path or f"/cds-services/{SERVICE_FOR_HOOK[body['hook']]}"
    return client.post(url, data=raw, content_type="application/json")


CASES = [
    (seed, path)
    for seed in SEEDS
    for path in _string_paths(load_fixture(FIXTURES / seed))
    if path[0] != "hook"  # another hook is a 400 already: nothing reaches the pipeline
]


@pytest.mark.parametrize(
    ("seed", "path"),
    CASES,
    ids=[f"{s.split('/')[1][:24]}:{'.'.join(map(str, p))}" for s, p in CASES],
)
def test_a_lone_surrogate_in_any_string_is_answered(
    module_client: FlaskClient, seed: str, path: tuple[Any, ...]
) -> None:
    body = load_fixture(FIXTURES / seed)
    original = body
    for parent_step in path[:-1]:
        original = original[parent_step]
    value = original[path[-1]]
    for bad in (value + LONE[0], LONE[1], value[:3] + LONE[2] + value[3:], LONE[3]):
        response = _post(module_client, _with(body, path, bad))
        assert response.status_code in _statuses(path), (path, response.status_code)
        assert_well_formed(response)


@pytest.mark.parametrize("seed", SEEDS)
def test_lone_surrogates_in_every_string_and_key_at_once_are_answered(
    module_client: FlaskClient, seed: str
) -> None:
    body = load_fixture(FIXTURES / seed)

    def spoil(node: Any) -> Any:
        if isinstance(node, dict):  # every value spoiled, and a spoiled key added
            return {**{k: spoil(v) for k, v in node.items()}, "x\ud800": "\udc00"}
        if isinstance(node, list):
            return [spoil(v) for v in node]
        return node + "\udfff" if isinstance(node, str) else node

    spoiled = spoil(body)
    spoiled["hook"] = body["hook"]
    response = _post(module_client, spoiled)
    assert response.status_code in (200, 400, 412)  # every prefetched resourceType is spoiled
    assert_well_formed(response)


def test_the_identity_of_a_spoiled_draft_still_gets_its_card(module_client: FlaskClient) -> None:
    """The text around a surrogate is still read: the card is about the same draft."""
    body = load_fixture(FIXTURES / SEEDS[0])
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["id"] += "\ud800"
    draft["dosageInstruction"][0]["text"] = "apply to the eyelids \udfff twice daily"
    response = _post(module_client, body)
    assert response.status_code == 200
    codes = [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]
    assert "tcs-potent-on-sensitive-site" in codes


@given(
    seed=st.sampled_from(SEEDS),
    pick=st.integers(min_value=0, max_value=10_000),
    text=st.text(
        alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=())
        | st.characters(),
        min_size=1,
        max_size=6,
    ),
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_text_with_surrogates_in_any_string_is_answered(
    module_client: FlaskClient, seed: str, pick: int, text: str
) -> None:
    body = load_fixture(FIXTURES / seed)
    paths = [p for p in _string_paths(body) if p[0] != "hook"]
    path = paths[pick % len(paths)]
    response = _post(module_client, _with(body, path, text))
    assert response.status_code in _statuses(path)
    assert_well_formed(response)


def test_feedback_with_lone_surrogates_is_answered(module_client: FlaskClient) -> None:
    entry = {
        "card": "9368d37b-283f-44a0-93ea-547cebab93ed\ud800",
        "outcome": "overridden",
        "overrideReason": {
            "reason": {"system": "urn:x\udfff", "code": "c\ud800", "display": "d\ud800"},
            "userComment": "derm \ud800 advised",
        },
        "outcomeTimestamp": "2026-11-22T12:01:00Z",
    }
    for body in ({"feedback": [entry]}, {"feedback\ud800": []}, ["\ud800"]):
        raw = json.dumps(body)
        response = module_client.post(
            "/cds-services/eczema-order-sign/feedback", data=raw, content_type="application/json"
        )
        assert response.status_code in (200, 400)
        assert_well_formed(response, hook=False)


def test_fetched_text_with_lone_surrogates_is_answered(
    module_client: FlaskClient, fhir: FakeFhirServer
) -> None:
    body = load_fixture(FIXTURES / SEEDS[2])  # the herpeticum chart, fetched instead
    conditions = [e["resource"] for e in body["prefetch"].pop("conditions")["entry"]]
    for condition in conditions:
        condition["code"]["text"] += "\ud800"
        condition["id"] += "\udfff"
    fhir.json("/fhir/Condition", bundle(*conditions))  # the fake server writes "\ud800"
    body["fhirServer"] = fhir.base
    response = _post(module_client, body)
    assert response.status_code == 200
    assert any(s.path.startswith("/fhir/Condition") for s in fhir.seen)
    codes = [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]
    assert "eczema-herpeticum" in codes


@pytest.mark.parametrize("bad_id", ["a b", "a/b", "x\u0085", "\ufeffx", "\ud800", "x" * 300])
@pytest.mark.parametrize("seed", [SEEDS[0], SEEDS[3]])
def test_a_draft_id_no_reference_can_carry_gets_cards_without_an_invalid_one(
    module_client: FlaskClient, seed: str, bad_id: str
) -> None:
    """The card still comes; no suggestion names the draft by an id it cannot be named by."""
    body = load_fixture(FIXTURES / seed)
    body["context"]["draftOrders"]["entry"][0]["resource"]["id"] = bad_id
    response = _post(module_client, body)
    assert response.status_code == 200
    assert_well_formed(response)  # every resourceId a valid relative reference
    assert response.get_json()["cards"]
