"""Observations prefetch kept as bytes: decoded only when a rule reads them, then as before."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from flask.testing import FlaskClient

from cds_service import jsonbody
from cds_service.fhir.bundle import flatten
from cds_service.fhir.deferred import DeferredBundle, defer
from cds_service.picture import build_picture
from cds_service.terminology import Terminology
from tests.conftest import FIXTURES, NOW, SERVICE_FOR_HOOK, load_fixture

READS_OBSERVATIONS = "cyclosporine-monitoring/cyclosporine-creatinine-31-days-in.json"


def _obs(i: int, value: float = 1.0) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"o{i}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "effectiveDateTime": "2026-01-01",
        "valueQuantity": {"value": value, "unit": "kg"},
    }


def _bundle(*resources: Any, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources], **extra}


def _raw(value: Any) -> msgspec.Raw:
    body = json.dumps({"prefetch": {"observations": value}}).encode()
    raw = jsonbody.loads_hook(body)["prefetch"]["observations"]
    assert isinstance(raw, msgspec.Raw)
    return raw


def test_loads_hook_keeps_only_an_observations_object_as_bytes() -> None:
    body = {"hook": "order-sign", "context": {"a": [1]}, "prefetch": {"patient": {"id": "p"}}}
    body["prefetch"]["observations"] = _bundle(_obs(1))
    parsed = jsonbody.loads_hook(json.dumps(body).encode())
    assert isinstance(parsed["prefetch"]["observations"], msgspec.Raw)
    assert json.loads(bytes(parsed["prefetch"]["observations"])) == _bundle(_obs(1))
    parsed["prefetch"]["observations"] = _bundle(_obs(1))
    assert parsed == body and list(parsed) == list(body)
    shown = jsonbody.for_schema(jsonbody.loads_hook(json.dumps(body).encode()))
    assert shown["prefetch"]["observations"] == {} and shown["context"] == body["context"]


@pytest.mark.parametrize("value", [None, "a string", 3, [], {"x": 1}])
def test_non_object_observations_and_other_keys_are_decoded_as_loads_decodes(value: Any) -> None:
    conditions = {"resourceType": "Bundle", "entry": [], "meta": {"x": 1}}
    raw = json.dumps({"prefetch": {"observations": value, "conditions": conditions}}).encode()
    parsed = jsonbody.loads_hook(raw)
    if isinstance(value, dict):
        parsed["prefetch"]["observations"] = json.loads(bytes(parsed["prefetch"]["observations"]))
    expected = json.loads(raw)
    del expected["prefetch"]["conditions"]["meta"]  # projected: fhir/elements.py
    assert parsed == expected


@pytest.mark.parametrize(
    "raw",
    [b"[1]", b'{"prefetch": 3}', b'{"prefetch": {"observations": NaN}}', b"\xef\xbb\xbf{}"],
)
def test_anything_unexpected_parses_exactly_as_loads(raw: bytes) -> None:
    assert repr(jsonbody.loads_hook(raw)) == repr(jsonbody.loads(raw))


def test_a_bundle_of_observations_is_deferred_until_read() -> None:
    value = _bundle(_obs(1), _obs(2), extra_field={"ignored": True})
    value["entry"].append({"fullUrl": "no resource"})
    before = DeferredBundle.decoded_count
    deferred = defer(_raw(value))
    assert isinstance(deferred, DeferredBundle) and not deferred.decoded
    assert len(deferred) == 2 and deferred.ids == ("o1", "o2")
    assert DeferredBundle.decoded_count == before
    assert tuple(deferred) == flatten(value) and deferred.decoded
    assert deferred[1]["id"] == "o2" and DeferredBundle.decoded_count == before + 1


NOT_DEFERRED = [
    _bundle(_obs(1), {"resourceType": "OperationOutcome", "issue": []}),
    _bundle(_obs(1), link=[{"relation": "next", "url": "http://x/next"}]),
    _bundle(_obs(1), {"resourceType": "Condition", "id": "c"}),
    _bundle(),
    {"resourceType": "Bundle", "entry": {"resource": _obs(1)}},
    {"resourceType": "Bundle", "entry": None},
    {"resourceType": "OperationOutcome", "issue": []},
    _obs(1),
    _bundle({"resourceType": 5}),
    _bundle(_obs(1), link={"relation": "next"}),
    {"entry": [{"resource": _obs(1)}]},
]


@pytest.mark.parametrize("value", NOT_DEFERRED)
def test_anything_but_a_plain_observation_bundle_is_decoded_at_once(value: Any) -> None:
    assert defer(_raw(value)) == value


def test_duplicates_across_keys_are_dropped_as_an_eager_picture_drops_them() -> None:
    early, late = _obs(1, 50.0), _obs(3, 70.0)
    raw = _bundle(_obs(1, 99.0), _obs(2, 60.0), _obs(2, 61.0), _obs(3, 98.0))
    deferred = defer(_raw(raw))
    assert isinstance(deferred, DeferredBundle)

    def picture(resources: list[Any]) -> Any:
        context = {"patientId": "p"}
        kwargs = {"medications": {}, "terminology": Terminology.load(), "now": NOW}
        return build_picture(hook="patient-view", context=context, resources=resources, **kwargs)

    lazy = picture([early, deferred, late]).observations
    eager = picture([early, *flatten(raw), late]).observations
    assert not deferred.decoded
    assert [o.value for o in lazy] == [o.value for o in eager] == [50.0, 60.0, 98.0]


def test_observations_are_never_decoded_when_no_rule_reads_them(client: FlaskClient) -> None:
    body = load_fixture(READS_OBSERVATIONS)
    observations = body["prefetch"]["observations"]
    assert observations["entry"]
    body = load_fixture("emollient-not-prescribed/" + _first("emollient-not-prescribed"))
    body["prefetch"]["observations"] = observations
    before, created = DeferredBundle.decoded_count, DeferredBundle.created_count
    response = client.post(
        f"/cds-services/{_service(body)}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    assert DeferredBundle.created_count == created + 1  # the call did defer them
    assert DeferredBundle.decoded_count == before


def test_observations_are_decoded_and_read_when_a_rule_needs_them(client: FlaskClient) -> None:
    body = load_fixture(READS_OBSERVATIONS)
    before = DeferredBundle.decoded_count
    response = client.post(
        "/cds-services/eczema-order-sign", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200 and DeferredBundle.decoded_count == before + 1
    fired = {c["source"]["topic"]["code"] for c in response.get_json()["cards"]}
    assert "cyclosporine-monitoring" in fired
    fresh = load_fixture(READS_OBSERVATIONS.replace("creatinine-31-days-in", "checks-30-days-out"))
    response = client.post(
        "/cds-services/eczema-order-sign", data=json.dumps(fresh), content_type="application/json"
    )
    fired = {c["source"]["topic"]["code"] for c in response.get_json()["cards"]}
    assert "cyclosporine-monitoring" not in fired  # its results are recent enough
    assert DeferredBundle.decoded_count == before + 2


def _first(folder: str) -> str:
    return sorted(p.name for p in (FIXTURES / folder).glob("*-in.json"))[0]


def _service(body: dict[str, Any]) -> str:
    return SERVICE_FOR_HOOK[body["hook"]]
