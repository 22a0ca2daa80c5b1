"""Named bad inputs, each answered with a JSON 4xx or valid cards, within a bounded time."""

from __future__ import annotations

import copy
import gzip
import json
import re
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, run_wsgi_app

from cds_service import create_app
from tests.conftest import FIXTURES, load_fixture, make_settings, no_uuids, pinned_clock
from tests.reliability.conftest import assert_well_formed

SIGN = "/cds-services/eczema-order-sign"
SELECT = "/cds-services/eczema-order-select"
VIEW = "/cds-services/eczema-patient-view"
SIGN_IN = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
VIEW_IN = FIXTURES / "patch-test-suggested/two-courses-eyelid-6-months-in.json"


def _sign() -> dict[str, Any]:
    return copy.deepcopy(load_fixture(SIGN_IN))


def _diagnostics(response: Any) -> str:
    return " ".join(i["diagnostics"] for i in response.get_json()["issue"])


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"{", b'{"hook": "order-sign",', b"\xff\xfe\x00", b"[]", b"42", b'"x"'],
)
def test_bodies_that_are_not_a_json_object_get_400(module_client: FlaskClient, raw: bytes) -> None:
    response = module_client.post(SIGN, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert_well_formed(response)


@pytest.mark.parametrize("depth", [50, 900, 5_000, 200_000])
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_gets_400_not_a_crash(module_client: FlaskClient, depth, opener) -> None:
    closer = "]" if opener == "[" else "}"
    nested = opener * depth + "1" + closer * depth
    for body in (nested, json.dumps(_sign())[:-1] + f', "extension": {{"x": {nested}}}}}'):
        response = module_client.post(SIGN, data=body, content_type="application/json")
        assert response.status_code in (200, 400)
        assert_well_formed(response)


def test_deeply_nested_prefetch_resource_is_answered(module_client: FlaskClient) -> None:
    """Nesting inside a resource the picture reads (not just an ignored extension)."""
    body = _sign()
    deep: Any = "x"
    for _ in range(420):  # 840 levels: under json's recursion limit, so it parses
        deep = {"coding": [deep]}
    body["prefetch"]["conditions"]["entry"][0]["resource"]["code"] = deep
    raw = json.dumps(body)
    assert_well_formed(module_client.post(SIGN, data=raw, content_type="application/json"))


def test_huge_strings_under_the_cap_are_answered_quickly(module_client: FlaskClient) -> None:
    body = _sign()
    big = "A" * 1_000_000
    body["hookInstance"] = big
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"]["text"] = big
    draft["dosageInstruction"][0]["text"] = "apply to the eyelids " + big
    body["prefetch"]["patient"]["birthDate"] = big
    started = time.monotonic()
    response = module_client.post(SIGN, json=body)
    assert time.monotonic() - started < 10  # generous: text matching is capped per field
    assert_well_formed(response)


@pytest.fixture
def small_cap_client(tmp_path) -> Iterator[FlaskClient]:
    app: Flask = create_app(make_settings(tmp_path, max_body_bytes=10_000), clock=pinned_clock)
    yield app.test_client()
    app.extensions["cds_runtime"].store.dispose()


def test_body_over_the_cap_gets_413(small_cap_client: FlaskClient) -> None:
    body = json.dumps({"hook": "order-sign", "pad": "x" * 20_000})
    for path in (SIGN, SIGN + "/feedback"):
        response = small_cap_client.post(path, data=body, content_type="application/json")
        assert response.status_code == 413
        assert response.get_json()["resourceType"] == "OperationOutcome"


def test_chunked_body_over_the_cap_gets_413(small_cap_client: FlaskClient) -> None:
    """No Content-Length to refuse early: the cap still holds while the body streams in."""
    body = b'{"pad": "' + b"x" * 100_000 + b'"}'
    builder = EnvironBuilder(
        SIGN,
        method="POST",
        data=body,
        content_type="application/json",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    environ = builder.get_environ()
    del environ["CONTENT_LENGTH"]  # as a server passes a chunked request body on
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    app_iter, status, _ = run_wsgi_app(small_cap_client.application, environ, buffered=True)
    assert status.startswith("413")
    assert json.loads(b"".join(app_iter))["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "gzip, identity"])
def test_a_compressed_body_gets_415_saying_so(module_client: FlaskClient, coding: str) -> None:
    """Before: a gzip body got 400 "Request body is not valid JSON", which sends an integrator
    looking at the JSON; the service reads no content coding (RFC 9110 8.4.1: 415)."""
    plain = json.dumps(_sign()).encode()
    body = gzip.compress(plain) if coding.startswith("gzip") else zlib.compress(plain)
    for path in (SIGN, SIGN + "/feedback"):
        response = module_client.post(
            path, data=body, content_type="application/json", headers={"Content-Encoding": coding}
        )
        assert response.status_code == 415
        assert_well_formed(response)
        assert "Content-Encoding" in _diagnostics(response)
        assert coding not in _diagnostics(response)  # nothing of the request is echoed


@pytest.mark.parametrize("coding", ["identity", "Identity", " identity ", ""])
def test_an_identity_content_encoding_is_read_as_usual(
    module_client: FlaskClient, coding: str
) -> None:
    response = module_client.post(
        SIGN,
        data=json.dumps(_sign()),
        content_type="application/json",
        headers={"Content-Encoding": coding},
    )
    assert response.status_code == 200


class _Trickle:
    """A WSGI input that hands the body over a few bytes per read, as a socket may."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.pos = data, step, 0

    def read(self, size: int = -1) -> bytes:
        size = self.step if size < 0 else min(size, self.step)
        part = self.data[self.pos : self.pos + size]
        self.pos += len(part)
        return part


def _environ(body: bytes, declared: int) -> dict[str, Any]:
    environ = EnvironBuilder(
        SIGN,
        method="POST",
        data=body,
        content_type="application/json",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ).get_environ()
    environ["CONTENT_LENGTH"] = str(declared)
    environ["wsgi.input"] = _Trickle(body, 997)
    return environ


def test_a_body_read_in_parts_is_answered_as_a_whole(module_client: FlaskClient) -> None:
    raw = SIGN_IN.read_bytes()
    whole = module_client.post(SIGN, data=raw, content_type="application/json").get_json()
    app_iter, status, _ = run_wsgi_app(
        module_client.application, _environ(raw, len(raw)), buffered=True
    )
    assert status.startswith("200")
    assert no_uuids(json.loads(b"".join(app_iter))) == no_uuids(whole)
    assert whole["cards"]  # the fixture fires: both reads saw the whole chart


def test_a_body_shorter_than_its_content_length_gets_400(module_client: FlaskClient) -> None:
    raw = SIGN_IN.read_bytes()
    app_iter, status, _ = run_wsgi_app(
        module_client.application, _environ(raw, len(raw) + 10), buffered=True
    )
    assert status.startswith("400")
    answer = json.loads(b"".join(app_iter))
    assert "Content-Length" in answer["issue"][0]["diagnostics"]


@pytest.mark.parametrize("hook", ["no-such-hook", "medication-prescribe", "patient-view", ""])
def test_unknown_or_other_hooks_get_400(module_client: FlaskClient, hook: str) -> None:
    body = _sign()
    body["hook"] = hook
    response = module_client.post(SIGN, json=body)
    assert response.status_code == 400
    assert_well_formed(response)


def test_context_of_another_hook_gets_400_naming_the_path(module_client: FlaskClient) -> None:
    body = _sign()
    body["context"] = {"userId": "Practitioner/1", "patientId": "p1"}  # patient-view context
    response = module_client.post(SIGN, json=body)
    assert response.status_code == 400
    assert "$.context.draftOrders" in _diagnostics(response)


def test_unknown_service_gets_404(module_client: FlaskClient) -> None:
    response = module_client.post("/cds-services/no-such-service", json=_sign())
    assert response.status_code == 404
    assert_well_formed(response)


def test_draft_order_without_medication_is_answered_without_cards(module_client) -> None:
    body = _sign()
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    del draft["medicationCodeableConcept"]
    response = module_client.post(SIGN, json=body)
    assert response.status_code == 200
    assert_well_formed(response)
    assert response.get_json()["cards"] == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("prefetch", "patient", "resourceType"), 42),
        (("prefetch", "patient", "birthDate"), "14/05/1996"),
        (("prefetch", "patient", "birthDate"), "2026-13-45"),
        (("prefetch", "conditions", "entry"), "not a list"),
        (("prefetch", "conditions", "entry", 0, "resource", "onsetDateTime"), "yesterday"),
        (("prefetch", "conditions", "entry", 0, "resource", "clinicalStatus"), ["active"]),
        (("context", "draftOrders", "entry", 0, "resource", "authoredOn"), "not-a-date"),
        (("context", "draftOrders", "entry", 0, "resource", "dosageInstruction"), {"x": 1}),
        (("context", "draftOrders", "entry", 0, "resource", "resourceType"), "Patient"),
    ],
)
def test_fhir_resources_with_wrong_types_or_bad_dates_are_answered(
    module_client: FlaskClient, where: tuple[Any, ...], value: Any
) -> None:
    body = _sign()
    parent = body
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = value
    assert_well_formed(module_client.post(SIGN, json=body))


@pytest.mark.parametrize("value", ["a string", 42, True, ["Patient"]])
def test_prefetch_values_that_are_not_resources_get_400(module_client, value: Any) -> None:
    body = _sign()
    body["prefetch"]["patient"] = value
    response = module_client.post(SIGN, json=body)
    assert response.status_code == 400
    assert "$.prefetch.patient" in _diagnostics(response)


def test_unparseable_birth_date_keeps_age_rules_silent(module_client: FlaskClient) -> None:
    """An unreadable date is missing data: no card built on a guessed age."""
    body = load_fixture(VIEW_IN)
    body["prefetch"]["patient"]["birthDate"] = "1996-02-30"
    response = module_client.post("/cds-services/eczema-patient-view", json=body)
    assert_well_formed(response)


_EXTREMES = {
    "a 400-digit integer": (r"(?<=: )\d+(?:\.\d+)?(?=[,}\]\s])", "9" * 400),
    "1e300": (r"(?<=: )\d+(?:\.\d+)?(?=[,}\]\s])", "1e300"),
    "the year 9999": (r"\d{4}-\d{2}-\d{2}", "9999-12-31"),
    "the year 1": (r"\d{4}-\d{2}-\d{2}", "0001-01-01"),
}
_ALL_FIXTURES = sorted(FIXTURES.glob("*/*.json"))


@pytest.mark.parametrize("extreme", sorted(_EXTREMES))
def test_extreme_numbers_and_dates_in_every_fixture_are_answered(
    module_client: FlaskClient, extreme: str
) -> None:
    """Every number (or date) of every fixture replaced by an extreme one: never a 5xx."""
    pattern, value = _EXTREMES[extreme]
    services = {"order-select": SELECT, "order-sign": SIGN, "patient-view": VIEW}
    for path in _ALL_FIXTURES:
        raw = re.sub(pattern, value, path.read_text())
        hook = json.loads(raw)["hook"]
        response = module_client.post(services[hook], data=raw, content_type="application/json")
        assert response.status_code < 500, (path.name, extreme)
        assert_well_formed(response)
