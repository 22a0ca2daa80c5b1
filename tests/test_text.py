"""Hostile text: look-alike, invisible and compatibility characters never switch a rule off."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service.picture import access as fx
from cds_service.picture import build_picture
from cds_service.terminology import Terminology
from cds_service.text import normalise, scrub
from tests.conftest import NOW, cards_for, load_fixture, post_hook

CYRILLIC_C, GREEK_O = "\u0441", "\u03bf"


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (f"{CYRILLIC_C}lobetasol", "clobetasol"),
        (f"clobetas{GREEK_O}l", "clobetasol"),
        ("\u03bdaseline", "vaseline"),  # Greek nu
        ("\u0421LOBETASOL", "CLOBETASOL"),  # Cyrillic capital Es
        ("tacro\u200blimus", "tacrolimus"),  # zero-width space
        ("tacro\u200c\u200dlimus\u2060", "tacrolimus"),  # non-joiner, joiner, word joiner
        ("hydro\u00adcortisone", "hydrocortisone"),  # soft hyphen
        ("\ufeffclobetasol", "clobetasol"),  # byte-order mark
        ("\u202eclobetasol\u202c \u2066x\u2069\u200e\u200f", "clobetasol x"),  # bidi controls
        ("\uff10.\uff11\uff05", "0.1%"),  # fullwidth digits and percent
        ("\uff54\uff41\uff43\uff52\uff4f\uff4c\uff49\uff4d\uff55\uff53", "tacrolimus"),
        ("0.1\u00a0%", "0.1 %"),  # no-break space
        ("0.1\u202f%", "0.1 %"),  # narrow no-break space
        ("0.1\u2009%\u3000ointment", "0.1 % ointment"),  # thin and ideographic spaces
        ("0.05\ufe6a", "0.05%"),  # small percent sign
        ("0.05\u066a", "0.05%"),  # Arabic percent sign
        ("betamethasone\u2013valerate\u2014x\u2212y\u2010z", "betamethasone-valerate-x-y-z"),
        ("50 \u00b5g", "50 mcg"),  # micro sign
        ("50 \u03bcg", "50 mcg"),  # Greek mu
    ],
)
def test_normalise_gives_the_plain_form(raw: str, plain: str) -> None:
    assert normalise(raw) == plain


@pytest.mark.parametrize(
    "kept",
    [
        "clobetasol propionate 0.05% ointment",  # ASCII: returned as it is
        "Krem \u0434\u043b\u044f \u043b\u0438\u0446\u0430",  # a Russian word is not a spoof
        "\u03b4\u03b5\u03c1\u03bc\u03b1",  # nor a Greek one
        "ecz\u00e9ma",  # an accent is a letter, not a look-alike
        "2\u2030",  # per mille is not a percent
    ],
)
def test_normalise_leaves_real_text_alone(kept: str) -> None:
    assert normalise(kept) == kept


def test_pure_ascii_is_the_same_object() -> None:
    text = "apply to the eyelids twice daily"
    assert normalise(text) is text


def test_scrub_replaces_lone_surrogates_only() -> None:
    value = {"a\ud800": ["\udfff", "\U0001f600", 1, None, {"k": "x\udc00y"}], "b": "ok"}
    assert scrub(value) == {
        "a\ufffd": ["\ufffd", "\U0001f600", 1, None, {"k": "x\ufffdy"}],
        "b": "ok",
    }


def test_access_label_and_codings_normalise_free_text_but_not_systems() -> None:
    concept = {
        "coding": [
            {"system": "urn:x\u200b", "code": "\uff12\uff14079001", "display": "Ec\u200bzema"}
        ],
        "text": "\u00a0\u200b",
    }
    assert fx.codings(concept) == (
        ("urn:x\u200b", "24079001", "Ec\u200bzema".replace("\u200b", "")),
    )
    assert fx.concept_text(concept) == "Eczema"  # the text was nothing once cleaned
    assert fx.label("\u200b \u00ad") is None


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return Terminology.load()


def _order(terminology: Terminology, drug: str, instruction: str | None = None) -> Any:
    draft: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "medicationCodeableConcept": {"text": drug},
    }
    if instruction:
        draft["dosageInstruction"] = [{"text": instruction}]
    context = {
        "patientId": "p1",
        "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": draft}]},
    }
    picture = build_picture(
        hook="order-sign",
        context=context,
        resources=[],
        medications={},
        terminology=terminology,
        now=NOW,
    )
    return picture.orders[0]


@pytest.mark.parametrize(
    "drug",
    [
        "clobetasol propionate 0.05% ointment",
        f"{CYRILLIC_C}lobetasol propionate 0.05% ointment",
        f"clobetas{GREEK_O}l propionate 0.05% ointment",
        "clobe\u00adtasol propionate 0.05\u00a0% ointment",
        "\u202aclobetasol propionate \uff10.\uff10\uff15\uff05 ointment\u202c",
    ],
)
def test_a_disguised_clobetasol_is_still_very_potent(terminology: Terminology, drug: str) -> None:
    order = _order(terminology, drug)
    assert order.drug.ingredient == "clobetasol propionate"
    assert order.drug.strength_percent == pytest.approx(0.05)
    assert order.drug.us_class == 1


def test_instruction_site_text_is_read_through_invisible_characters(
    terminology: Terminology,
) -> None:
    plain = _order(terminology, "clobetasol 0.05% ointment", "apply to the eyelids")
    hidden = _order(terminology, "clobetasol 0.05% ointment", "apply to the eye\u200blids")
    assert plain.sites and hidden.sites == plain.sites
    assert hidden.instruction_text == "apply to the eyelids"


# --- through the service, from real fixtures ----------------------------------------------

SENSITIVE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
SITE_TEXT = "tcs-potent-on-sensitive-site/clobetasol-face-in-text-in.json"
TCI_AGE = "tci-age-strength/tacrolimus-0.1-age-15-in.json"


def _with_drug(path: str, drug: str, instruction: str | None = None) -> dict[str, Any]:
    """The fixture with its draft named only by `drug` (no code to fall back on)."""
    body = load_fixture(path)
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"] = {"text": drug}
    if instruction is not None:
        draft["dosageInstruction"][0]["text"] = instruction
    return body


@pytest.mark.parametrize(
    "drug",
    [
        "clobetasol propionate 0.05% ointment",  # the control: text alone is enough
        f"{CYRILLIC_C}lobetasol propionate 0.05% ointment",
        "clobe\u00adtasol propionate 0.05% ointment",
        "clobetasol propionate \uff10.\uff10\uff15\uff05 ointment",
        "clobetasol propionate 0.05\u00a0% ointment",
        "\u2067clobetasol\u2069 propionate 0.05% ointment",
    ],
)
def test_sensitive_site_rule_fires_for_a_disguised_name(client: FlaskClient, drug: str) -> None:
    response = post_hook(client, _with_drug(SENSITIVE, drug))
    assert len(cards_for(response, "tcs-potent-on-sensitive-site")) == 1


@pytest.mark.parametrize(
    "instruction",
    [
        "Apply to face and neck twice daily for 2 weeks",  # the control
        "Apply to f\u200bace and n\u00adeck twice daily for 2 weeks",
        "Apply\u00a0to\u00a0face\u00a0and\u00a0neck twice daily for 2 weeks",
        "Apply to the f\u0430ce twice daily for 2 weeks",  # Cyrillic a
        "Apply to the face twice daily for 2 weeks",  # its control
    ],
)
def test_site_in_disguised_instruction_text_still_fires(
    client: FlaskClient, instruction: str
) -> None:
    body = _with_drug(SITE_TEXT, "Clobetasol 0.05% oint", instruction)
    assert len(cards_for(post_hook(client, body), "tcs-potent-on-sensitive-site")) == 1


@pytest.mark.parametrize(
    "drug",
    [
        "tacrolimus 0.1% ointment",  # the control
        "tacro\u200blimus 0.1% ointment",
        "tacrolimus \uff10.\uff11\uff05 ointment",
        "tacrolimus 0.1\u00a0% ointment",
        "tacro\u00adlimus 0.1% ointment",
    ],
)
def test_tci_age_strength_reads_a_disguised_strength(client: FlaskClient, drug: str) -> None:
    response = post_hook(client, _with_drug(TCI_AGE, drug))
    assert len(cards_for(response, "tci-age-strength")) == 1


def test_the_tci_age_strength_control_is_silent_at_the_lower_strength(client: FlaskClient) -> None:
    """The same chart with 0.03% (fullwidth) stays silent: the strength really is read."""
    body = _with_drug(TCI_AGE, "tacrolimus \uff10.\uff10\uff13\uff05 ointment")
    assert cards_for(post_hook(client, body), "tci-age-strength") == []


def test_condition_and_site_text_reach_the_picture_normalised(terminology: Terminology) -> None:
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "code": {"text": "Atopic derma\u200btitis \u2066(flexural)\u2069"},
        "bodySite": [{"text": "\uff45yelids"}],
    }
    picture = build_picture(
        hook="patient-view",
        context={"patientId": "p1"},
        resources=[condition],
        medications={},
        terminology=terminology,
        now=NOW,
    )
    [fact] = picture.conditions
    assert fact.text == "Atopic dermatitis (flexural)"
    plain = {**condition, "code": {"text": "Atopic dermatitis"}, "bodySite": [{"text": "eyelids"}]}
    again = build_picture(
        hook="patient-view",
        context={"patientId": "p1"},
        resources=[plain],
        medications={},
        terminology=terminology,
        now=NOW,
    )
    assert fact.body_sites and fact.body_sites == again.conditions[0].body_sites
