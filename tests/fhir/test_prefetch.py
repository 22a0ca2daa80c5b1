"""resolve_prefetch and client_for_request against a real HTTP server on loopback."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from cds_service.fhir import (
    Deadline,
    FhirClient,
    KeyState,
    PrefetchUnavailable,
    client_for_request,
    resolve_prefetch,
)
from cds_service.fhir.concurrency import GRACE_SECONDS
from tests.fhir.fake_fhir import FakeFhirServer, bundle, drip_headers, hang

TEMPLATES = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
}
PATIENT = {"resourceType": "Patient", "id": "p1"}
CONDITION = {"resourceType": "Condition", "id": "c1"}
OUTCOME = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}


def hook_request(prefetch: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "hook": "order-select",
        "context": {"patientId": "p1", "userId": "Practitioner/u1"},
        **extra,
    }
    if prefetch is not None:
        request["prefetch"] = prefetch
    return request


def resolve(
    request: dict[str, Any],
    client: FhirClient | None,
    *,
    templates: dict[str, str] = TEMPLATES,
    required: frozenset[str] = frozenset(),
    seconds: float = 5.0,
):
    return resolve_prefetch(
        templates, request, required=required, client=client, deadline=Deadline(seconds)
    )


@pytest.fixture
def client(fhir: FakeFhirServer, session: requests.Session) -> FhirClient:
    return FhirClient(fhir.base, None, session=session, request_timeout=2.0)


def serve_both(fhir: FakeFhirServer, **kwargs: Any) -> None:
    fhir.json("/fhir/Patient/p1", PATIENT, **kwargs)
    fhir.json("/fhir/Condition", bundle(CONDITION), **kwargs)


# --- what the EHR sent ----------------------------------------------------------------------


def test_provided_resource_and_bundle_are_used_without_fetching(fhir, client) -> None:
    data = resolve(hook_request({"patient": PATIENT, "conditions": bundle(CONDITION)}), client)
    assert data.states == {"patient": KeyState.PROVIDED, "conditions": KeyState.PROVIDED}
    assert data.resources == {"patient": (PATIENT,), "conditions": (CONDITION,)}
    assert data.problems == {}
    assert fhir.seen == []


def test_null_prefetch_means_no_data_and_is_never_fetched(fhir, client) -> None:
    serve_both(fhir)
    data = resolve(hook_request({"patient": None, "conditions": None}), client)
    assert data.states == {"patient": KeyState.NULL, "conditions": KeyState.NULL}
    assert data.resources == {"patient": (), "conditions": ()}
    assert fhir.seen == []


def test_null_required_key_does_not_raise(client) -> None:
    request = hook_request({"patient": None, "conditions": None})
    data = resolve(request, client, required=frozenset(TEMPLATES))
    assert data.states["patient"] is KeyState.NULL


def test_empty_bundle_is_empty_and_not_fetched(fhir, client) -> None:
    serve_both(fhir)
    empty = {"resourceType": "Bundle", "type": "searchset", "total": 0}
    data = resolve(hook_request({"patient": PATIENT, "conditions": empty}), client)
    assert data.states["conditions"] is KeyState.EMPTY
    assert data.resources["conditions"] == ()
    assert fhir.seen == []


def test_bundle_entries_are_flattened_dropping_garbage(client) -> None:
    messy = bundle(CONDITION)
    messy["entry"] += [7, {"fullUrl": "x"}, {"resource": "Condition/c2"}, {"resource": {}}]
    data = resolve(hook_request({"patient": PATIENT, "conditions": messy}), client)
    assert data.resources["conditions"] == (CONDITION,)


# --- what must be fetched -------------------------------------------------------------------


def test_absent_keys_are_fetched_with_the_rendered_query(fhir, client) -> None:
    serve_both(fhir)
    data = resolve(hook_request({}), client)
    assert data.states == {"patient": KeyState.FETCHED, "conditions": KeyState.FETCHED}
    assert data.resources == {"patient": (PATIENT,), "conditions": (CONDITION,)}
    assert sorted(fhir.paths()) == [
        "/fhir/Condition?patient=p1&clinical-status=active",
        "/fhir/Patient/p1",
    ]


def test_request_without_prefetch_member_fetches_everything(fhir, client) -> None:
    serve_both(fhir)
    data = resolve(hook_request(None), client)
    assert set(data.states.values()) == {KeyState.FETCHED}
    assert len(fhir.seen) == 2


def test_operation_outcome_instead_of_data_is_refetched(fhir, client) -> None:
    serve_both(fhir)
    data = resolve(hook_request({"patient": OUTCOME, "conditions": bundle(CONDITION)}), client)
    assert data.states["patient"] is KeyState.FETCHED
    assert data.resources["patient"] == (PATIENT,)
    assert fhir.paths() == ["/fhir/Patient/p1"]


def test_bundle_holding_an_operation_outcome_is_refetched(fhir, client) -> None:
    serve_both(fhir)
    partial = bundle({"resourceType": "Condition", "id": "stale"}, OUTCOME)
    data = resolve(hook_request({"patient": PATIENT, "conditions": partial}), client)
    assert data.states["conditions"] is KeyState.FETCHED
    assert data.resources["conditions"] == (CONDITION,)


@pytest.mark.parametrize(
    "value", ["Patient/p1", ["a"], 3, True, {"id": "p1"}, {"resourceType": "Bundle", "entry": {}}]
)
def test_value_that_is_not_a_resource_is_refetched(fhir, client, value) -> None:
    serve_both(fhir)
    data = resolve(hook_request({"patient": value, "conditions": bundle(CONDITION)}), client)
    assert data.states["patient"] is KeyState.FETCHED
    assert data.resources["patient"] == (PATIENT,)


def test_a_lone_resource_of_another_type_than_the_query_is_refetched(fhir, client) -> None:
    """A Patient under `conditions` is no answer to the Condition search: read as an empty one
    it would let "nothing on record" decide. A lone Condition there is still read."""
    serve_both(fhir)
    data = resolve(hook_request({"patient": CONDITION, "conditions": PATIENT}), client)
    assert data.states == {"patient": KeyState.FETCHED, "conditions": KeyState.FETCHED}
    assert data.resources == {"patient": (PATIENT,), "conditions": (CONDITION,)}
    fhir.seen.clear()
    data = resolve(hook_request({"patient": PATIENT, "conditions": CONDITION}), client)
    assert data.resources == {"patient": (PATIENT,), "conditions": (CONDITION,)}
    assert fhir.seen == []


def test_a_lone_resource_of_another_type_without_a_server_is_unavailable() -> None:
    request = hook_request({"patient": PATIENT, "conditions": PATIENT})
    assert resolve(request, None).states["conditions"] is KeyState.UNAVAILABLE
    with pytest.raises(PrefetchUnavailable):
        resolve(request, None, required=frozenset({"conditions"}))


def test_prefetch_that_is_not_an_object_is_treated_as_absent(fhir, client) -> None:
    serve_both(fhir)
    request = hook_request(None)
    request["prefetch"] = ["nonsense"]
    data = resolve(request, client)
    assert set(data.states.values()) == {KeyState.FETCHED}


def test_paginated_prefetch_bundle_is_completed_from_the_server(fhir, client) -> None:
    more = {"resourceType": "Condition", "id": "c2"}
    fhir.json("/fhir/Condition", bundle(more))
    first = bundle(CONDITION, next_url=f"{fhir.base}/Condition?page=2")
    data = resolve(hook_request({"patient": PATIENT, "conditions": first}), client)
    assert data.states["conditions"] is KeyState.PROVIDED
    assert data.resources["conditions"] == (CONDITION, more)
    assert fhir.paths() == ["/fhir/Condition?page=2"]


def test_paginated_prefetch_without_server_keeps_the_first_page_and_says_so() -> None:
    first = bundle(CONDITION, next_url="https://ehr.example.org/fhir/Condition?page=2")
    data = resolve(hook_request({"patient": PATIENT, "conditions": first}), None)
    assert data.states["conditions"] is KeyState.PROVIDED
    assert data.resources["conditions"] == (CONDITION,)
    assert data.problems["conditions"] == "next page not followed: no FHIR server"


def test_paginated_prefetch_with_next_link_on_another_host_is_unavailable(fhir, client) -> None:
    # As in the 3.0 ballot example: the EHR's next link names its own host, not fhirServer.
    first = bundle(CONDITION, next_url="https://ehr.example.org/fhir/Condition?page=2")
    data = resolve(hook_request({"patient": PATIENT, "conditions": first}), client)
    assert data.states["conditions"] is KeyState.UNAVAILABLE
    assert data.problems["conditions"] == "next link to another host refused"


# --- what cannot be had ---------------------------------------------------------------------


def test_missing_required_prefetch_without_fhir_server_raises_unavailable() -> None:
    with pytest.raises(PrefetchUnavailable) as caught:
        resolve(hook_request({}), None, required=frozenset({"patient", "conditions"}))
    assert caught.value.keys == ("conditions", "patient")
    assert caught.value.problems == {"conditions": "no FHIR server", "patient": "no FHIR server"}


def test_missing_optional_prefetch_without_fhir_server_is_unavailable_only() -> None:
    data = resolve(hook_request({"patient": PATIENT}), None, required=frozenset({"patient"}))
    assert data.states["conditions"] is KeyState.UNAVAILABLE
    assert data.resources["conditions"] == ()
    assert data.problems == {"conditions": "no FHIR server"}


def test_unrenderable_template_is_unavailable(fhir, client) -> None:
    templates = {"user": "PractitionerRole?_id={{userPractitionerRoleId}}"}
    data = resolve(hook_request({}), client, templates=templates)
    assert data.states["user"] is KeyState.UNAVAILABLE
    assert data.problems["user"] == "template token unavailable"
    assert fhir.seen == []


def test_fetch_failure_is_unavailable_with_its_reason(fhir, client) -> None:
    fhir.json("/fhir/Patient/p1", OUTCOME, status=503)
    fhir.json("/fhir/Condition", bundle(CONDITION))
    data = resolve(hook_request({}), client)
    assert data.states == {"patient": KeyState.UNAVAILABLE, "conditions": KeyState.FETCHED}
    assert data.problems == {"patient": "HTTP 503"}


def test_fetch_failure_of_a_required_key_raises(fhir, client) -> None:
    fhir.json("/fhir/Patient/p1", OUTCOME, status=401)
    fhir.json("/fhir/Condition", bundle(CONDITION))
    with pytest.raises(PrefetchUnavailable) as caught:
        resolve(hook_request({}), client, required=frozenset({"patient"}))
    assert caught.value.keys == ("patient",)
    assert caught.value.problems == {"patient": "HTTP 401"}


def test_operation_outcome_fetched_with_2xx_is_unavailable(fhir, client) -> None:
    fhir.json("/fhir/Patient/p1", OUTCOME)
    fhir.json("/fhir/Condition", bundle(CONDITION))
    data = resolve(hook_request({}), client)
    assert data.states["patient"] is KeyState.UNAVAILABLE


def test_fetched_search_with_an_error_outcome_entry_is_unavailable(fhir, client) -> None:
    fhir.json("/fhir/Patient/p1", PATIENT)
    fhir.json("/fhir/Condition", bundle(CONDITION, OUTCOME))
    data = resolve(hook_request({}), client)
    assert data.states["conditions"] is KeyState.UNAVAILABLE


def test_fetched_search_with_a_warning_outcome_entry_keeps_the_data(fhir, client) -> None:
    warning = {"resourceType": "OperationOutcome", "issue": [{"severity": "warning"}]}
    fhir.json("/fhir/Patient/p1", PATIENT)
    fhir.json("/fhir/Condition", bundle(CONDITION, warning))
    data = resolve(hook_request({}), client)
    assert data.states["conditions"] is KeyState.FETCHED
    assert data.resources["conditions"] == (CONDITION,)


def test_expired_deadline_skips_fetching(fhir, client) -> None:
    serve_both(fhir)
    data = resolve(hook_request({}), client, seconds=0)
    assert data.problems == {"patient": "deadline expired", "conditions": "deadline expired"}
    assert fhir.seen == []


def test_required_key_without_template_is_a_configuration_error(client) -> None:
    with pytest.raises(ValueError):
        resolve(hook_request({}), client, required=frozenset({"allergies"}))


# --- time -----------------------------------------------------------------------------------


def test_independent_fetches_run_concurrently(fhir, client) -> None:
    templates = {k: f"{k}?patient={{{{context.patientId}}}}" for k in ("A", "B", "C")}
    for key in templates:
        fhir.json(f"/fhir/{key}", bundle(CONDITION), delay=0.3)
    started = time.monotonic()
    data = resolve(hook_request({}), client, templates=templates)
    assert time.monotonic() - started < 0.6  # serially it would be 0.9 s
    assert set(data.states.values()) == {KeyState.FETCHED}


def test_hanging_server_cannot_hold_the_hook_past_the_deadline(fhir, session) -> None:
    fhir.on("/fhir/Patient/p1", hang())
    fhir.json("/fhir/Condition", bundle(CONDITION))
    slow = FhirClient(fhir.base, None, session=session, request_timeout=10)
    started = time.monotonic()
    data = resolve(hook_request({}), slow, seconds=0.5)
    assert time.monotonic() - started < 0.5 + GRACE_SECONDS + 0.15
    assert data.states == {"patient": KeyState.UNAVAILABLE, "conditions": KeyState.FETCHED}
    assert data.problems["patient"] == "timeout"


def test_server_dripping_headers_cannot_hold_the_hook_past_the_deadline(fhir, session) -> None:
    # Every header byte arrives within the socket timeout, so only the pool's wait bounds this.
    fhir.on("/fhir/Patient/p1", drip_headers(interval=0.1))
    fhir.json("/fhir/Condition", bundle(CONDITION))
    slow = FhirClient(fhir.base, None, session=session, request_timeout=10)
    started = time.monotonic()
    data = resolve(hook_request({}), slow, seconds=0.5)
    assert time.monotonic() - started < 0.5 + GRACE_SECONDS + 0.15
    assert data.states == {"patient": KeyState.UNAVAILABLE, "conditions": KeyState.FETCHED}
    assert data.problems["patient"] == "deadline expired"


# --- client_for_request ---------------------------------------------------------------------


def test_no_client_without_fhir_server(session) -> None:
    assert client_for_request(hook_request({}), session=session) is None


@pytest.mark.parametrize(
    "server",
    ["", "  ", 7, "ftp://ehr/fhir", "fhir", "https://", "https://u:p@ehr/fhir", "https://e/f?x=1"],
)
def test_no_client_for_an_unusable_fhir_server(session, server) -> None:
    assert client_for_request(hook_request({}, fhirServer=server), session=session) is None


def test_http_fhir_server_refused_when_https_is_required(session) -> None:
    request = hook_request({}, fhirServer="http://ehr.example.org/fhir")
    assert client_for_request(request, session=session, require_https=True) is None
    request["fhirServer"] = "https://ehr.example.org/fhir"
    assert client_for_request(request, session=session, require_https=True) is not None


def test_client_sends_the_fhir_authorization_token(fhir, session) -> None:
    auth = {"access_token": "opaque-123", "token_type": "Bearer"}
    request = hook_request({}, fhirServer=fhir.base, fhirAuthorization=auth)
    made = client_for_request(request, session=session)
    assert made is not None
    resolve(request, made, templates={"patient": TEMPLATES["patient"]})
    assert fhir.seen[0].headers["authorization"] == "Bearer opaque-123"


@pytest.mark.parametrize("auth", [None, {}, {"access_token": ""}, {"access_token": "a b\n"}, "x"])
def test_client_sends_no_authorization_without_a_usable_token(fhir, session, auth) -> None:
    request = hook_request({}, fhirServer=fhir.base + "/", fhirAuthorization=auth)
    made = client_for_request(request, session=session)
    assert made is not None
    resolve(request, made, templates={"patient": TEMPLATES["patient"]})
    assert fhir.paths() == ["/fhir/Patient/p1"]
    assert "authorization" not in fhir.seen[0].headers
