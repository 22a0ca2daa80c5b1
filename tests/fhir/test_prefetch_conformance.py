"""CDS Hooks 2.0.1 inputs real clients send that the service once refused (issue 14).

A prefetch key no service of ours asks for is ignored whatever its value; `fhirAuthorization`
without `subject` is used; a searchset whose OperationOutcome entry only informs or warns
(`search.mode: outcome`) is data, not an error. Each answer must equal the plain fixture's.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service import schemas
from cds_service.fhir import Deadline, KeyState, client_for_request, resolve_prefetch
from cds_service.fhir.session import CountingSession
from cds_service.schemas import hook_request_errors
from cds_service.services import TEMPLATES
from tests.conftest import load_fixture, no_uuids, post_hook
from tests.fhir.fake_fhir import FakeFhirServer, bundle
from tests.schemas.helpers import load_example

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
AUTH = {"access_token": "opaque", "token_type": "Bearer", "expires_in": 300, "scope": "user/*.read"}


def _answer(client: FlaskClient, body: dict[str, Any]) -> Any:
    response = post_hook(client, body)
    assert response.status_code == 200, response.get_json()
    return no_uuids(response.get_json())


def _outcome(severity: str) -> dict[str, Any]:
    issue = {"severity": severity, "code": "informational", "diagnostics": "results limited"}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def test_prefetch_keys_no_service_asks_for_are_ignored_whatever_their_value(client: Any) -> None:
    plain = load_fixture(FIXTURE)
    body = copy.deepcopy(plain)
    spec = load_example("v2.0.1/prefetch-data.json")["prefetch"]
    assert spec["user"] == "123"  # the spec's own example: not a resource, not null
    body["prefetch"].update(
        {"user": spec["user"], "hemoglobin-a1c": spec["hemoglobin-a1c"], "n": 3, "l": ["x"]}
    )
    assert _answer(client, body) == _answer(client, plain)


def test_a_key_another_service_asks_for_is_ignored_by_this_one(client: Any) -> None:
    # order-select does not ask for care plans (order-sign and patient-view do).
    plain = load_fixture(FIXTURE)
    plain["hook"] = "order-select"
    plain["context"]["selections"] = [
        f"MedicationRequest/{e['resource']['id']}" for e in plain["context"]["draftOrders"]["entry"]
    ]
    plain["prefetch"].pop("careplans", None)
    body = copy.deepcopy(plain)
    body["prefetch"]["careplans"] = "not a resource"
    assert "careplans" in TEMPLATES
    ok = post_hook(client, body, "eczema-order-select")
    assert ok.status_code == 200, ok.get_json()
    assert no_uuids(ok.get_json()) == _answer_as(client, plain, "eczema-order-select")
    sign = load_fixture(FIXTURE)
    sign["prefetch"]["careplans"] = "not a resource"
    refused = post_hook(client, sign)
    assert refused.status_code == 400
    assert "$.prefetch.careplans" in str(refused.get_json())


def test_the_openapi_document_judges_each_services_own_keys(client: Any) -> None:
    document = client.get("/openapi.json").get_json()
    for path, item in document["paths"].items():
        if not path.startswith("/cds-services/eczema-") or path.endswith("/feedback"):
            continue
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        judged = set(body["allOf"][1]["properties"]["prefetch"]["properties"])
        assert judged and judged <= set(TEMPLATES), path
    assert "properties" not in schemas.validator("hook-request").schema["properties"]["prefetch"]


def _answer_as(client: FlaskClient, body: dict[str, Any], service: str) -> Any:
    response = post_hook(client, body, service)
    assert response.status_code == 200, response.get_json()
    return no_uuids(response.get_json())


def test_a_key_the_service_asked_for_must_still_hold_a_resource_or_null(client: Any) -> None:
    body = load_fixture(FIXTURE)
    body["prefetch"]["patient"] = "123"
    assert post_hook(client, body).status_code == 400


def test_fhir_authorization_without_subject_is_accepted_and_its_token_sent(
    client: Any, fhir: FakeFhirServer
) -> None:
    plain = load_fixture(FIXTURE)
    body = copy.deepcopy(plain)
    fhir.json("/fhir/MedicationRequest", bundle())
    del body["prefetch"]["medications"]  # fetched, so the token is seen on the wire
    body.update(fhirServer=fhir.base, fhirAuthorization=dict(AUTH))
    assert "subject" not in body["fhirAuthorization"]
    assert hook_request_errors(body) == []
    assert _answer(client, body) == _answer(client, plain)
    assert [s.headers.get("authorization") for s in fhir.seen] == ["Bearer opaque"]


@pytest.mark.parametrize("severity", ["information", "warning"])
def test_searchset_with_an_informational_outcome_entry_is_used(client: Any, severity: str) -> None:
    plain = load_fixture(FIXTURE)
    body = copy.deepcopy(plain)
    entry = {"resource": _outcome(severity), "search": {"mode": "outcome"}}
    body["prefetch"]["conditions"]["entry"].append(entry)
    assert _answer(client, body) == _answer(client, plain)  # no fhirServer: it was not refetched


def test_searchset_with_an_error_outcome_entry_is_still_refetched_or_412(client: Any) -> None:
    body = load_fixture(FIXTURE)
    entry = {"resource": _outcome("error"), "search": {"mode": "outcome"}}
    body["prefetch"]["conditions"]["entry"].append(entry)
    assert post_hook(client, body).status_code == 412


def test_resolve_prefetch_keeps_the_data_beside_a_warning_outcome() -> None:
    condition = {"resourceType": "Condition", "id": "c1"}
    searchset = bundle(condition, _outcome("warning"))
    request = {"hook": "patient-view", "context": {"patientId": "p1"}}
    request["prefetch"] = {"conditions": searchset}
    with CountingSession() as session:
        assert client_for_request(request, session=session) is None
        data = resolve_prefetch(
            {"conditions": "Condition?patient={{context.patientId}}"},
            request,
            required=frozenset({"conditions"}),
            client=None,
            deadline=Deadline(5.0),
        )
    assert data.states["conditions"] is KeyState.PROVIDED
    assert data.resources["conditions"] == (condition,)
    assert data.problems == {}
