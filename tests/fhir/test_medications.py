"""resolve_medications: contained, known resources and Bundles, FHIR reads, garbage."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from cds_service.fhir import Deadline, FhirClient, resolve_medications
from cds_service.fhir.medications import contained_medication
from tests.conftest import FIXTURES, cards_for, load_fixture, post_hook
from tests.fhir.fake_fhir import FakeFhirServer

DUPILUMAB = {"resourceType": "Medication", "id": "dupi", "code": {"text": "dupilumab"}}
TACROLIMUS = {"resourceType": "Medication", "id": "tacro", "code": {"text": "tacrolimus"}}


def order(reference: Any, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "draft-1",
        "medicationReference": {"reference": reference},
        **extra,
    }


@pytest.fixture
def client(fhir: FakeFhirServer, session: requests.Session) -> FhirClient:
    return FhirClient(fhir.base, None, session=session, request_timeout=2.0)


def test_contained_medication_is_read_from_its_own_request(fhir, client) -> None:
    # "#m1" is local to the request: read from it (contained_medication), never keyed for
    # the call (another request's "#m1" may be another drug) and never fetched.
    contained = {**DUPILUMAB, "id": "m1"}
    request = order("#m1", contained=[{"resourceType": "Patient", "id": "m1"}, contained])
    found = resolve_medications([request], [], client=client, deadline=Deadline(5))
    assert found == {}
    assert contained_medication(request, "#m1") == contained
    assert contained_medication(request, "#m2") is None
    assert contained_medication(request, "m1") is None  # not a local reference
    assert fhir.seen == []


def test_missing_contained_medication_is_left_out_and_not_fetched(fhir, client) -> None:
    found = resolve_medications(
        [order("#m9", contained=[])], [], client=client, deadline=Deadline(5)
    )
    assert found == {}
    assert fhir.seen == []


def test_known_medication_in_a_bundle_is_matched_by_id(fhir, client) -> None:
    draft = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": DUPILUMAB}]}
    found = resolve_medications(
        [order("Medication/dupi")], [draft], client=client, deadline=Deadline(5)
    )
    assert found == {"Medication/dupi": DUPILUMAB}
    assert fhir.seen == []


def test_known_plain_resource_is_matched_by_id(client) -> None:
    found = resolve_medications(
        [order("Medication/tacro")], [DUPILUMAB, TACROLIMUS], client=client, deadline=Deadline(5)
    )
    assert found == {"Medication/tacro": TACROLIMUS}


def test_known_medication_is_matched_by_the_end_of_its_full_url(client) -> None:
    no_id = {"resourceType": "Medication", "code": {"text": "crisaborole"}}
    entry = {"fullUrl": "https://ehr.example.org/fhir/Medication/cris", "resource": no_id}
    found = resolve_medications(
        [order("Medication/cris")],
        [{"resourceType": "Bundle", "entry": [entry]}],
        client=client,
        deadline=Deadline(5),
    )
    assert found == {"Medication/cris": no_id}


def test_known_medication_is_matched_by_urn_uuid_full_url(client) -> None:
    urn = "urn:uuid:4f6a30fb-cd3c-4ab6-8757-532101f72065"
    entry = {"fullUrl": urn, "resource": DUPILUMAB}
    found = resolve_medications(
        [order(urn)],
        [{"resourceType": "Bundle", "entry": [entry]}],
        client=client,
        deadline=Deadline(5),
    )
    assert found == {urn: DUPILUMAB}


def test_unknown_medications_are_read_from_the_server_concurrently(fhir, client) -> None:
    fhir.json("/fhir/Medication/dupi", DUPILUMAB, delay=0.3)
    fhir.json("/fhir/Medication/tacro", TACROLIMUS, delay=0.3)
    requests_ = [order("Medication/dupi"), order("Medication/tacro"), order("Medication/dupi")]
    started = time.monotonic()
    found = resolve_medications(requests_, [], client=client, deadline=Deadline(5))
    assert time.monotonic() - started < 0.55
    assert found == {"Medication/dupi": DUPILUMAB, "Medication/tacro": TACROLIMUS}
    assert sorted(fhir.paths()) == ["/fhir/Medication/dupi", "/fhir/Medication/tacro"]


def test_absolute_reference_on_the_fhir_server_is_read(fhir, client) -> None:
    fhir.json("/fhir/Medication/dupi", DUPILUMAB)
    reference = f"{fhir.base}/Medication/dupi"
    found = resolve_medications([order(reference)], [], client=client, deadline=Deadline(5))
    assert found == {reference: DUPILUMAB}


def test_absolute_reference_to_another_server_is_not_read(fhir, other_host, client) -> None:
    other_host.json("/fhir/Medication/dupi", DUPILUMAB)
    reference = f"{other_host.base}/Medication/dupi"
    found = resolve_medications([order(reference)], [], client=client, deadline=Deadline(5))
    assert found == {}
    assert other_host.seen == [] and fhir.seen == []


def test_failed_or_wrong_reads_are_left_out(fhir, client) -> None:
    fhir.json("/fhir/Medication/gone", {"resourceType": "OperationOutcome"}, status=404)
    fhir.json("/fhir/Medication/odd", {"resourceType": "Patient", "id": "odd"})
    requests_ = [order("Medication/gone"), order("Medication/odd")]
    assert resolve_medications(requests_, [], client=client, deadline=Deadline(5)) == {}
    assert len(fhir.seen) == 2


def test_without_a_client_unknown_references_are_left_out() -> None:
    found = resolve_medications([order("Medication/dupi")], [], client=None, deadline=Deadline(5))
    assert found == {}


def test_expired_deadline_reads_nothing(fhir, client) -> None:
    fhir.json("/fhir/Medication/dupi", DUPILUMAB)
    assert (
        resolve_medications([order("Medication/dupi")], [], client=client, deadline=Deadline(0))
        == {}
    )
    assert fhir.seen == []


def test_r5_codeable_reference_shape_is_understood(client) -> None:
    request = {
        "resourceType": "MedicationRequest",
        "medication": {"reference": {"reference": "Medication/dupi"}},
    }
    found = resolve_medications([request], [DUPILUMAB], client=client, deadline=Deadline(5))
    assert found == {"Medication/dupi": DUPILUMAB}


@pytest.mark.parametrize(
    "request_",
    [
        order(7),
        order(None),
        order(""),
        order(["Medication/dupi"]),
        order("Medication/../Patient/p1"),
        order("Medication/a b"),
        order("Patient/p1"),
        order("#"),
        {"resourceType": "MedicationRequest", "medicationReference": "Medication/dupi"},
        {"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "x"}},
        {
            "resourceType": "MedicationRequest",
            "medicationReference": {"reference": "#m"},
            "contained": "x",
        },
        "MedicationRequest/1",
        None,
    ],
)
def test_garbage_is_skipped_without_crashing_or_fetching(fhir, client, request_) -> None:
    known: list[Any] = [{"resourceType": "Bundle", "entry": "x"}, {"resourceType": "Medication"}]
    assert resolve_medications([request_], known, client=client, deadline=Deadline(5)) == {}
    assert fhir.seen == []


def test_a_draft_naming_a_prefetched_medication_by_full_url_is_classified(app) -> None:
    """End to end: the prefetched Bundles themselves are searched, not only their resources."""
    body = load_fixture(
        FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
    )
    urn = "urn:uuid:0b6c8a52-6a0e-4f0e-9d7e-1f8f8f0c2a11"
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    clobetasol = {"resourceType": "Medication", "code": draft.pop("medicationCodeableConcept")}
    draft["medicationReference"] = {"reference": urn}
    body["prefetch"]["medications"]["entry"] = [{"fullUrl": urn, "resource": clobetasol}]
    client = app.test_client()
    assert cards_for(post_hook(client, body), "tcs-potent-on-sensitive-site")
    body["prefetch"]["medications"]["entry"][0]["fullUrl"] = "urn:uuid:another"
    assert not cards_for(post_hook(client, body), "tcs-potent-on-sensitive-site")
