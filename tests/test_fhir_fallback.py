"""Prefetch absent / null / partial through the API, against a real FHIR server on loopback."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook
from tests.fhir.fake_fhir import FakeFhirServer, bundle

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
RULE = "tcs-potent-on-sensitive-site"
SEARCHES = ("Condition", "MedicationRequest", "Observation", "CarePlan", "ServiceRequest")


def _serve_fixture(fhir: FakeFhirServer, body: dict[str, Any]) -> None:
    """Serve the fixture's prefetch from the fake FHIR server, by resource type."""
    prefetch = body["prefetch"]
    patient = prefetch["patient"]
    fhir.json(f"/fhir/Patient/{patient['id']}", patient)
    by_type = {"Condition": "conditions", "MedicationRequest": "medications",
               "Observation": "observations", "CarePlan": "careplans",
               "ServiceRequest": "servicerequests"}  # fmt: skip
    for rtype, key in by_type.items():
        resources = [e["resource"] for e in prefetch[key].get("entry", [])]
        fhir.json(f"/fhir/{rtype}", bundle(*resources))


def test_request_without_prefetch_is_served_from_the_fhir_server(
    client: Any, fhir: FakeFhirServer
) -> None:
    body = load_fixture(FIXTURE)
    _serve_fixture(fhir, body)
    del body["prefetch"]
    body["fhirServer"] = fhir.base
    body["fhirAuthorization"] = {
        "access_token": "opaque-token-123",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read user/Condition.read user/MedicationRequest.read",
        "subject": "eczema-cds",
    }
    response = post_hook(client, body)
    assert response.status_code == 200
    assert len(cards_for(response, RULE)) == 1
    requested = {s.path.split("?")[0] for s in fhir.seen}
    assert "/fhir/Patient/tcs-eyelid-age-30" in requested
    assert "/fhir/Condition" in requested
    assert all(s.headers.get("authorization") == "Bearer opaque-token-123" for s in fhir.seen)


def test_no_fhir_authorization_means_no_authorization_header(
    client: Any, fhir: FakeFhirServer
) -> None:
    body = load_fixture(FIXTURE)
    _serve_fixture(fhir, body)
    del body["prefetch"]
    body["fhirServer"] = fhir.base
    assert post_hook(client, body).status_code == 200
    assert fhir.seen and all("authorization" not in s.headers for s in fhir.seen)


def test_missing_prefetch_without_fhir_server_returns_412(client: Any) -> None:
    body = load_fixture(FIXTURE)
    del body["prefetch"]
    response = post_hook(client, body)
    assert response.status_code == 412
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    diagnostics = " ".join(i["diagnostics"] for i in outcome["issue"])
    assert "patient" in diagnostics and "conditions" in diagnostics


def test_null_prefetch_values_are_not_refetched(client: Any, fhir: FakeFhirServer) -> None:
    body = load_fixture(FIXTURE)
    _serve_fixture(fhir, body)
    body["fhirServer"] = fhir.base
    for key in ("medications", "observations", "careplans", "servicerequests"):
        body["prefetch"][key] = None
    response = post_hook(client, body)
    assert response.status_code == 200
    assert len(cards_for(response, RULE)) == 1
    assert fhir.seen == []


def test_partial_prefetch_fetches_only_the_absent_keys(client: Any, fhir: FakeFhirServer) -> None:
    body = load_fixture(FIXTURE)
    _serve_fixture(fhir, body)
    body["fhirServer"] = fhir.base
    del body["prefetch"]["conditions"]
    response = post_hook(client, body)
    assert response.status_code == 200
    assert [s.path.split("?")[0] for s in fhir.seen] == ["/fhir/Condition"]
    assert len(cards_for(response, RULE)) == 1


def test_operation_outcome_prefetch_is_refetched(client: Any, fhir: FakeFhirServer) -> None:
    body = load_fixture(FIXTURE)
    _serve_fixture(fhir, body)
    body["fhirServer"] = fhir.base
    body["prefetch"]["conditions"] = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "processing"}],
    }
    response = post_hook(client, body)
    assert response.status_code == 200
    assert "/fhir/Condition" in [s.path.split("?")[0] for s in fhir.seen]
    assert len(cards_for(response, RULE)) == 1


def test_optional_data_unavailable_still_answers_and_says_so(client: Any) -> None:
    body = load_fixture(FIXTURE)
    del body["prefetch"]["servicerequests"]
    response = post_hook(client, body)
    assert response.status_code == 200
    assert response.get_json()["extension"]["org.eczema-cds.unavailable-data"] == [
        "servicerequests"
    ]
    assert len(cards_for(response, RULE)) == 1


def test_medication_reference_resolved_from_the_fhir_server(
    client: Any, fhir: FakeFhirServer
) -> None:
    body = load_fixture(FIXTURE)
    body["fhirServer"] = fhir.base
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationReference"] = {"reference": "Medication/clobetasol-oint"}
    del draft["medicationCodeableConcept"]
    fhir.json(
        "/fhir/Medication/clobetasol-oint",
        {
            "resourceType": "Medication",
            "id": "clobetasol-oint",
            "code": {"text": "clobetasol propionate 0.05% ointment"},
        },
    )
    response = post_hook(client, body)
    assert response.status_code == 200
    assert len(cards_for(response, RULE)) == 1


def _tokenless_app(tmp_path: Any, open_servers: tuple[str, ...]) -> Any:
    from cds_service import create_app
    from tests.conftest import make_settings, pinned_clock

    settings = make_settings(tmp_path, fhir_open_servers=open_servers)
    return create_app(settings, clock=pinned_clock).test_client()


def _fetch_only(fhir: FakeFhirServer, token: str | None = None) -> dict[str, Any]:
    """The fixture with no prefetch, served by `fhir`; with a fhirAuthorization if `token`."""
    body = load_fixture(FIXTURE)
    _serve_fixture(fhir, body)
    del body["prefetch"]
    body["fhirServer"] = fhir.base
    if token is not None:
        body["fhirAuthorization"] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "user/*.read",
        }
    return body


def test_without_a_token_an_unlisted_fhir_server_is_never_read(
    tmp_path: Any, fhir: FakeFhirServer
) -> None:
    response = post_hook(_tokenless_app(tmp_path, ()), _fetch_only(fhir))
    assert response.status_code == 412
    assert fhir.seen == []


def test_an_empty_token_counts_as_no_token(tmp_path: Any, fhir: FakeFhirServer) -> None:
    body = _fetch_only(fhir, token="")  # as crd-request-generator sends it
    assert post_hook(_tokenless_app(tmp_path, ()), body).status_code == 412
    assert fhir.seen == []
    (tmp_path / "listed").mkdir()
    listed = _tokenless_app(tmp_path / "listed", ("127.0.0.1",))
    assert post_hook(listed, body).status_code == 200
    assert fhir.seen


def test_a_token_lets_the_service_read_any_allowed_fhir_server(
    tmp_path: Any, fhir: FakeFhirServer
) -> None:
    response = post_hook(_tokenless_app(tmp_path, ()), _fetch_only(fhir, token="opaque"))
    assert response.status_code == 200
    assert len(cards_for(response, RULE)) == 1


def test_open_server_patterns_match_the_host_only() -> None:
    from cds_service.fhir.allow import is_open_server

    assert is_open_server("http://localhost:8081/fhir", ("localhost",))
    assert is_open_server("https://sandbox.fhir.example.org/r4", ("*.fhir.example.org",))
    assert not is_open_server("http://localhost.evil.example/fhir", ("localhost",))
    assert not is_open_server("http://127.0.0.2/fhir", ("127.0.0.1",))
    assert not is_open_server("not a url", ("*",))


def test_an_http_fhir_server_is_read_only_when_the_operator_listed_it(tmp_path: Any) -> None:
    """Before: with CDS_FHIR_SERVER_ALLOW unset (public servers only: production's default) an
    http:// fhirServer was sent the EHR's bearer token, and the chart came back, in clear text
    (CDS Hooks 2.0: production data over HTTPS only). Now an http server must be listed."""
    import requests

    from cds_service import create_app
    from cds_service.fetching import _client
    from tests.conftest import make_settings, pinned_clock

    def client_for(server: str, **settings: Any) -> Any:
        app = create_app(make_settings(tmp_path, **settings), clock=pinned_clock)
        body = {"fhirServer": server, "fhirAuthorization": {"access_token": "opaque"}}
        with requests.Session() as session:
            found = _client(app.extensions["cds_runtime"], body, session)
        app.extensions["cds_runtime"].store.dispose()
        return found

    public = {"fhir_server_allow": (), "fhir_open_servers": ()}
    assert client_for("http://fhir.example.org/r4", **public) is None
    assert client_for("HTTP://fhir.example.org/r4", **public) is None
    assert client_for("https://fhir.example.org/r4", **public).has_token
    listed = {"fhir_server_allow": ("fhir.example.org",), "fhir_open_servers": ()}
    assert client_for("http://fhir.example.org/r4", **listed).has_token
    open_server = {"fhir_server_allow": (), "fhir_open_servers": ("fhir.example.org",)}
    assert client_for("http://fhir.example.org/r4", **open_server) is not None
