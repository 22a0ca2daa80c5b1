"""Patient identity: only the chart's own resources reach the rules (picture/identity.py)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.ops.cli import main
from cds_service.picture.identity import Owner
from cds_service.pipeline import IDENTITY_STEP, TRACE_EXTENSION
from tests.conftest import cards_for, load_fixture, make_settings, pinned_clock, post_hook
from tests.fhir.fake_fhir import FakeFhirServer, bundle

HERPETICUM = "eczema-herpeticum/active-patient-view-in.json"  # patient eh-view-active
COMBINATION = "immunomodulator-combination/upadacitinib-with-active-dupilumab-in.json"
CONTACT = "patch-test-suggested/allergic-contact-dermatitis-coded-in.json"
MONITORING = "cyclosporine-monitoring/cyclosporine-checks-30-days-out.json"
TCI_AGE = "tci-age-strength/tacrolimus-0.1-age-15-in.json"

OWN = [
    "Patient/p-1",
    "https://ehr.example.org/fhir/Patient/p-1",
    "https://ehr.example.org/fhir/Patient/p-1/_history/3",
    "Patient/p-1/_history/12",
    "urn:uuid:p-1",
    " Patient/p-1 ",
]
OTHER = [
    "Patient/p-2",
    "Patient/p-10",
    "Patient/P-1",  # ids are case-sensitive
    "https://ehr.example.org/fhir/Patient/p-2",
    "https://ehr.example.org/fhir/Patient/p-2/_history/1",
    "urn:uuid:0b1e0c6a-94f4-4c6e-9d4c-1f2b8e0c7a11",
    "Group/p-1",
    "p-1",
]


def _condition(ref: Any) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": "c1", "subject": {"reference": ref}}


@pytest.mark.parametrize("ref", OWN)
def test_references_to_the_patient_are_owned(ref: str) -> None:
    owner = Owner("p-1")
    assert owner.owns(_condition(ref))
    assert owner.dropped == []


@pytest.mark.parametrize("ref", OTHER)
def test_references_to_anyone_else_are_dropped_and_recorded(ref: str) -> None:
    owner = Owner("p-1")
    assert not owner.owns(_condition(ref))
    assert owner.described() == ["Condition/c1"]


@pytest.mark.parametrize(
    "res",
    [
        {"resourceType": "Condition", "id": "c1"},  # a patient-scoped search's answer
        {"resourceType": "Condition", "subject": {"display": "J. Doe"}},  # nothing to compare
        {"resourceType": "Condition", "subject": {"reference": "  "}},
        {"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/p-1"}},
        {"resourceType": "Coverage", "beneficiary": {"reference": "Patient/p-1"}},
        {"resourceType": "Patient", "id": "p-1"},
        {"resourceType": "Patient"},
    ],
)
def test_resources_without_another_patients_reference_are_kept(res: dict[str, Any]) -> None:
    owner = Owner("p-1")
    assert owner.owns(res) and owner.dropped == []


@pytest.mark.parametrize(
    "subject", ["Patient/p-1", "Patient/p-2", [{"reference": "Patient/p-1"}], {"reference": 7}]
)
def test_a_patient_element_that_is_no_reference_is_not_used(subject: Any) -> None:
    """Fail closed: a malformed reference cannot be read as this patient's (even one whose
    text names the patient: the EHR sent something other than FHIR)."""
    owner = Owner("p-1")
    assert not owner.owns({"resourceType": "Condition", "id": "c", "subject": subject})
    assert owner.described() == ["Condition/c"]


def test_patient_and_beneficiary_references_are_checked_and_patient_ids_never_named() -> None:
    owner = Owner("p-1")
    other = {"reference": "Patient/x"}
    allergy = {"resourceType": "AllergyIntolerance", "id": "a1", "patient": other}
    coverage = {"resourceType": "Coverage", "id": "v1", "beneficiary": other}
    other_patient = {"resourceType": "Patient", "id": "secret-mrn-99", "birthDate": "1950-01-01"}
    assert [owner.owns(r) for r in (allergy, coverage, other_patient)] == [False] * 3
    assert owner.described() == ["AllergyIntolerance/a1", "Coverage/v1", "Patient"]


def test_a_synthea_full_url_names_the_patient_whose_id_it_carries() -> None:
    patients = {
        "resourceType": "Bundle",
        "entry": [
            {"fullUrl": "urn:uuid:aaa", "resource": {"resourceType": "Patient", "id": "p-1"}},
            {"fullUrl": "urn:uuid:bbb", "resource": {"resourceType": "Patient", "id": "p-2"}},
        ],
    }
    owner = Owner("p-1", [patients])
    assert owner.owns(_condition("urn:uuid:aaa"))
    assert not owner.owns(_condition("urn:uuid:bbb"))


def test_without_a_patient_id_nothing_is_dropped() -> None:
    assert Owner(None).owns(_condition("Patient/anyone"))


# --- through the service: another patient's data never decides a card -----------------------


def _entries(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in body["prefetch"][key]["entry"]]


def _by_id(body: dict[str, Any], key: str, suffix: str) -> dict[str, Any]:
    return next(r for r in _entries(body, key) if r["id"].endswith(suffix))


def _trace(response: Any) -> dict[str, dict[str, str]]:
    return {s["rule"]: s for s in response.get_json()["extension"][TRACE_EXTENSION]}


@pytest.fixture
def traced(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_app(make_settings(tmp_path, debug_trace=True), clock=pinned_clock)
    yield app.test_client()
    app.extensions["cds_runtime"].store.dispose()


@pytest.mark.parametrize("ref", ["Patient/someone-else", "https://ehr/fhir/Patient/x/_history/2"])
def test_another_patients_herpeticum_raises_no_card(traced: FlaskClient, ref: str) -> None:
    body = load_fixture(HERPETICUM)
    _by_id(body, "conditions", "-eh")["subject"] = {"reference": ref}
    response = post_hook(traced, body)
    assert response.status_code == 200
    assert cards_for(response, "eczema-herpeticum") == []
    step = _trace(response)[IDENTITY_STEP]
    assert step["outcome"] == "dropped" and "Condition/eh-view-active-eh" in step["why"]
    assert "someone-else" not in step["why"] and "Patient/x" not in step["why"]


@pytest.mark.parametrize(
    "element",
    [
        # a DSTU2-style Condition names its patient in `patient`
        ("patient", {"reference": "Patient/someone-else"}),
        # an MRN alone cannot be matched to context.patientId: not this patient's for sure
        ("subject", {"identifier": {"system": "urn:oid:1.2.3", "value": "MRN-77"}}),
        ("subject", {"identifier": {"value": "MRN-77"}, "display": "Sibling"}),
        # no Reference object: cannot be read as this patient, so not used
        ("subject", "Patient/someone-else"),
        ("subject", [{"reference": "Patient/someone-else"}]),
        ("subject", {"reference": 42}),
        ("subject", {"reference": ["Patient/someone-else"]}),
    ],
)
def test_a_condition_not_confirmably_the_patients_raises_no_card(
    traced: FlaskClient, element: tuple[str, dict[str, Any]]
) -> None:
    body = load_fixture(HERPETICUM)
    condition = _by_id(body, "conditions", "-eh")
    condition.pop("subject")
    condition[element[0]] = element[1]
    response = post_hook(traced, body)
    assert response.status_code == 200
    assert cards_for(response, "eczema-herpeticum") == []
    step = _trace(response)[IDENTITY_STEP]
    assert "Condition/eh-view-active-eh" in step["why"] and "MRN" not in step["why"]


@pytest.mark.parametrize(
    "ref",
    [
        "Patient/eh-view-active",
        "https://ehr.example.org/fhir/Patient/eh-view-active/_history/4",
        "urn:uuid:eh-view-active",
        None,  # no subject: the patient-scoped query's answer
    ],
)
def test_the_patients_own_herpeticum_still_fires(traced: FlaskClient, ref: str | None) -> None:
    body = load_fixture(HERPETICUM)
    condition = _by_id(body, "conditions", "-eh")
    condition.pop("subject")
    if ref is not None:
        condition["subject"] = {"reference": ref}
    response = post_hook(traced, body)
    assert len(cards_for(response, "eczema-herpeticum")) == 1
    assert IDENTITY_STEP not in _trace(response)


def test_another_patients_dupilumab_does_not_block_upadacitinib(client: FlaskClient) -> None:
    body = load_fixture(COMBINATION)
    assert len(cards_for(post_hook(client, body), "immunomodulator-combination")) == 1
    _by_id(body, "medications", "-dupilumab")["subject"] = {"reference": "Patient/neighbour"}
    assert cards_for(post_hook(client, body), "immunomodulator-combination") == []


def test_another_patients_contact_dermatitis_suggests_no_patch_test(client: FlaskClient) -> None:
    body = load_fixture(CONTACT)
    assert len(cards_for(post_hook(client, body), "patch-test-suggested")) == 1
    _by_id(body, "conditions", "-acd")["subject"] = {"reference": "Patient/neighbour"}
    assert cards_for(post_hook(client, body), "patch-test-suggested") == []


@pytest.mark.parametrize("lazy", [True, False], ids=["deferred-bundle", "decoded"])
@pytest.mark.parametrize(
    "subject",
    [{"reference": "Patient/neighbour"}, {"identifier": {"value": "MRN-9"}}],
    ids=["reference", "identifier-only"],
)
def test_another_patients_monitoring_results_do_not_count(
    client: FlaskClient, lazy: bool, subject: dict[str, Any]
) -> None:
    """Observations stay bytes on the fast path (fhir/deferred.py): the subject is read there."""
    body = load_fixture(MONITORING)
    assert cards_for(post_hook(client, body), "cyclosporine-monitoring") == []
    for obs in _entries(body, "observations"):
        obs["subject"] = subject
    if not lazy:  # an entry that is not an Observation makes the Bundle decode at once
        body["prefetch"]["observations"]["entry"].append(
            {"resource": {"resourceType": "Basic", "id": "b1"}}
        )
    raw = json.dumps(body)
    response = client.post(
        "/cds-services/eczema-order-sign", data=raw, content_type="application/json"
    )
    assert len(cards_for(response, "cyclosporine-monitoring")) == 1


def test_a_patient_resource_with_another_id_gives_no_age(client: FlaskClient) -> None:
    body = load_fixture(TCI_AGE)
    assert len(cards_for(post_hook(client, body), "tci-age-strength")) == 1
    body["prefetch"]["patient"]["id"] = "somebody-else"
    assert cards_for(post_hook(client, body), "tci-age-strength") == []


def test_a_draft_for_another_patient_gets_200_and_no_card_about_it(client: FlaskClient) -> None:
    body = load_fixture(COMBINATION)
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["subject"] = {"reference": "Patient/neighbour"}
    response = post_hook(client, body)
    assert response.status_code == 200
    for card in response.get_json()["cards"]:
        assert draft["id"] not in json.dumps(card)  # no suggestion touches that draft
    assert cards_for(response, "immunomodulator-combination") == []


def test_fetched_resources_of_another_patient_are_dropped(
    client: FlaskClient, fhir: FakeFhirServer
) -> None:
    body = load_fixture(HERPETICUM)
    conditions = _entries(body, "conditions")
    _by_id(body, "conditions", "-eh")["subject"] = {"reference": f"{fhir.base}/Patient/other"}
    fhir.json("/fhir/Condition", bundle(*conditions))
    del body["prefetch"]["conditions"]
    body["fhirServer"] = fhir.base
    response = post_hook(client, body)
    assert response.status_code == 200
    assert any(s.path.startswith("/fhir/Condition") for s in fhir.seen)
    assert cards_for(response, "eczema-herpeticum") == []


def test_drops_are_counted_by_resource_type_without_ids(client: FlaskClient) -> None:
    body = copy.deepcopy(load_fixture(HERPETICUM))
    for condition in _entries(body, "conditions"):
        condition["subject"] = {"reference": "Patient/neighbour"}
    body["prefetch"]["patient"]["id"] = "neighbour"
    assert post_hook(client, body).status_code == 200
    text = client.get("/metrics").get_data(as_text=True)
    name = "cds_foreign_resources_dropped_total"
    assert f'{name}{{resource_type="Condition",service="eczema-patient-view"}} 2.0' in text
    assert f'{name}{{resource_type="Patient",service="eczema-patient-view"}} 1.0' in text
    assert "neighbour" not in text and "eh-view-active" not in text
    assert 'rule="patient-identity"' not in text  # not a rule decision


def test_explain_names_what_was_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = load_fixture(HERPETICUM)
    _by_id(body, "conditions", "-eh")["subject"] = {"reference": "Patient/neighbour"}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    assert main(["explain", str(path), "--now", "2026-11-22T12:00Z"]) == 0
    out = capsys.readouterr().out
    expected = f"dropped {IDENTITY_STEP}: names another patient: Condition/eh-view-active-eh"
    assert expected in out
    assert "neighbour" not in out
