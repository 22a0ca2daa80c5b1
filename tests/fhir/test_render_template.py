"""render_template: context and user tokens, quoting, and everything that must yield None."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cds_service.fhir import render_template

CONTEXT = {
    "patientId": "1288992",
    "encounterId": "89284",
    "userId": "Practitioner/123",
}


def test_context_token_is_replaced() -> None:
    assert render_template("Patient/{{context.patientId}}", CONTEXT) == "Patient/1288992"


def test_several_tokens_in_one_search() -> None:
    template = "Encounter?patient={{context.patientId}}&_id={{context.encounterId}}"
    assert render_template(template, CONTEXT) == "Encounter?patient=1288992&_id=89284"


def test_whitespace_inside_braces_is_tolerated() -> None:
    assert render_template("Patient/{{ context.patientId  }}", CONTEXT) == "Patient/1288992"


def test_integer_context_value_is_rendered() -> None:
    assert render_template("Encounter/{{context.n}}", {"n": 42}) == "Encounter/42"


def test_template_without_tokens_is_returned_unchanged() -> None:
    assert (
        render_template("Medication?code=123&_count=5", CONTEXT) == "Medication?code=123&_count=5"
    )


@pytest.mark.parametrize(
    ("token", "user_id", "expected"),
    [
        ("userPractitionerId", "Practitioner/123", "123"),
        ("userPractitionerRoleId", "PractitionerRole/pr-9", "pr-9"),
        ("userPatientId", "Patient/abc", "abc"),
        ("userRelatedPersonId", "RelatedPerson/rp.1", "rp.1"),
    ],
)
def test_user_tokens_come_from_user_id(token, user_id, expected) -> None:
    rendered = render_template(f"X?_id={{{{{token}}}}}", {"userId": user_id})
    assert rendered == f"X?_id={expected}"


@pytest.mark.parametrize(
    "user_id",
    ["PractitionerRole/123", "Patient/123", "Practitioner/", "Practitioner", "123", None, 7],
)
def test_user_token_for_another_or_malformed_user_id_is_unresolvable(user_id) -> None:
    assert render_template("Practitioner/{{userPractitionerId}}", {"userId": user_id}) is None


def test_user_id_with_extra_path_segments_is_unresolvable() -> None:
    context = {"userId": "Practitioner/123/_history/2"}
    assert render_template("Practitioner/{{userPractitionerId}}", context) is None


@pytest.mark.parametrize(
    "template",
    [
        "Patient/{{context.missing}}",
        "Patient/{{context.draftOrders}}",  # an object, not a primitive
        "Patient/{{context.selections}}",  # a list
        "Patient/{{context.flag}}",  # a boolean is not an id
        "Patient/{{context.none}}",
        "Patient/{{context.empty}}",  # "" would make the read a search of all patients
        "Patient/{{context.draftOrders.entry}}",  # no traversal in 2.0.1
        "Patient/{{userSomethingElse}}",
        "Patient/{{today()}}",
        "Patient/{{ }}",
        "Patient/{{context.patientId}",  # unclosed
        "Patient/{{context.patientId}}}}",
        "Patient/{{{{context.patientId}}",
    ],
)
def test_unresolvable_tokens_yield_none(template) -> None:
    context = {
        **CONTEXT,
        "draftOrders": {"resourceType": "Bundle"},
        "selections": ["MedicationRequest/1"],
        "flag": True,
        "none": None,
        "empty": "",
    }
    assert render_template(template, context) is None


def test_one_bad_token_spoils_the_whole_template() -> None:
    template = "Observation?patient={{context.patientId}}&encounter={{context.nope}}"
    assert render_template(template, CONTEXT) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1&_count=1000", "1%26_count%3D1000"),
        ("../Practitioner/1", "..%2FPractitioner%2F1"),
        ("1?x=y#frag", "1%3Fx%3Dy%23frag"),
        ("a,b|c d", "a%2Cb%7Cc%20d"),
        ("{{context.userId}}", "%7B%7Bcontext.userId%7D%7D"),
        ("draft\u2011rx", "draft%E2%80%91rx"),
    ],
)
def test_values_are_url_quoted_so_they_cannot_change_the_query(value, expected) -> None:
    assert render_template("Condition?patient={{context.patientId}}", {"patientId": value}) == (
        f"Condition?patient={expected}"
    )


def test_user_id_value_is_quoted_too() -> None:
    rendered = render_template("X?_id={{userPatientId}}", {"userId": "Patient/a&b=c"})
    assert rendered == "X?_id=a%26b%3Dc"


def test_garbage_inputs_yield_none() -> None:
    assert render_template(None, CONTEXT) is None  # type: ignore[arg-type]
    assert render_template("Patient/{{context.patientId}}", None) is None  # type: ignore[arg-type]


@given(st.text(min_size=1))
def test_any_text_value_stays_one_query_value(value: str) -> None:
    rendered = render_template("Condition?patient={{context.patientId}}", {"patientId": value})
    assert rendered is not None
    query_value = rendered.removeprefix("Condition?patient=")
    assert not set(query_value) & set("&=/?#{} ")
    assert unquote(query_value) == value


def test_value_that_cannot_be_utf8_encoded_yields_none() -> None:
    assert render_template("Patient/{{context.patientId}}", {"patientId": "a\ud800"}) is None
