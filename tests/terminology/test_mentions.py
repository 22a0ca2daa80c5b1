"""Condition text read with negation, family history and uncertainty (clinical-rules §5.1)."""

from __future__ import annotations

import pytest

from cds_service.terminology import Terminology
from cds_service.terminology.mentions import Mention, compile_terms, read

AFFIRMED, UNCERTAIN, NEGATED, ABSENT = (
    Mention.AFFIRMED,
    Mention.UNCERTAIN,
    Mention.NEGATED,
    Mention.ABSENT,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Infantile eczema", AFFIRMED),
        ("Flexural eczema", AFFIRMED),
        ("ECZEMA, ATOPIC", AFFIRMED),
        ("Dermatitis, atopic", AFFIRMED),
        ("Atopic-dermatitis", AFFIRMED),
        ("Atopic derm, hands", AFFIRMED),
        ("Besnier's prurigo", AFFIRMED),
        ("Neurodermitis", AFFIRMED),
        ("Eczéma atopique", AFFIRMED),  # accents dropped before matching
        ("Atopisches Ekzem", AFFIRMED),
        ("Eczema craquelé", ABSENT),  # asteatotic, not atopic
        ("History of eczema", AFFIRMED),  # decision: personal history counts
        ("h/o atopic dermatitis", AFFIRMED),
        ("No improvement in eczema", AFFIRMED),  # a pseudo-negation
        ("Eczema not resolved", AFFIRMED),
        ("Mother reports eczema flares", AFFIRMED),  # the mother speaks of the patient
        ("Asthma, no exacerbation, eczema", AFFIRMED),  # a comma ends the cue's reach
        ("No fever. Eczema on both cheeks", AFFIRMED),
        ("Eczema, patch test negative", AFFIRMED),
        ("Eczema negative", NEGATED),
        ("Eczema has been ruled out", NEGATED),
        ("Atopic dermatitis, no eczema herpeticum", AFFIRMED),
        ("No eczema", NEGATED),
        ("no h/o eczema", NEGATED),
        ("Eczema ruled out", NEGATED),
        ("Eczema - excluded", NEGATED),
        ("Eczema, resolved", NEGATED),
        ("Patient denies eczema", NEGATED),
        ("Without eczema", NEGATED),
        ("Negative for atopic dermatitis", NEGATED),
        ("Non-atopic dermatitis", NEGATED),
        ("Family history of eczema", NEGATED),
        ("FH: eczema", NEGATED),
        ("FHx atopic dermatitis", NEGATED),
        ("Mother has eczema", NEGATED),
        ("Eczema in sister", NEGATED),
        ("Maternal eczema", NEGATED),
        ("At risk of eczema", NEGATED),
        ("? eczema", UNCERTAIN),
        ("?eczema", UNCERTAIN),
        ("Eczema?", UNCERTAIN),
        ("r/o eczema", UNCERTAIN),
        ("Suspected atopic dermatitis", UNCERTAIN),
        ("Possible eczema", UNCERTAIN),
        ("Seborrhoeic eczema", ABSENT),  # excluded: another condition's longer name
        ("Allergic contact dermatitis", ABSENT),  # "dermatitis" alone is not set A
        ("Seborrheic dermatitis", ABSENT),
        ("Contact eczema of hands", ABSENT),
        ("Psoriasis", ABSENT),
        ("", ABSENT),
    ],
)
def test_atopic_dermatitis_text(term: Terminology, text: str, expected: Mention) -> None:
    assert term.value_set("atopic-dermatitis").mention(text) is expected


@pytest.mark.parametrize(
    ("name", "text", "asserted"),
    [
        ("eczema-herpeticum", "Eczema herpeticum", True),
        ("eczema-herpeticum", "Kaposi's varicelliform eruption", True),
        ("eczema-herpeticum", "? eczema herpeticum", True),  # a red flag counts suspicion
        ("eczema-herpeticum", "r/o eczema herpeticum", True),
        ("eczema-herpeticum", "No eczema herpeticum", False),
        ("eczema-herpeticum", "Infected eczema", False),
        ("eczema-herpeticum", "Eczema herpeticum, HSV PCR negative", True),  # clinical diagnosis
        ("immunosuppression", "HIV negative", False),
        ("serious-infection", "Hepatitis B surface antigen negative", False),
        ("skin-infection", "Infected eczema", True),
        ("skin-infection", "Eczema, secondarily infected", True),
        ("skin-infection", "Non-infected eczema", False),
        ("cellulitis", "?cellulitis left leg", True),
        ("cellulitis", "Cellulitis ruled out", False),
        ("atopic-dermatitis", "? eczema", False),  # not a red flag: suspicion alone is silent
        ("allergic-contact-dermatitis", "Allergic contact dermatitis to nickel", True),
        ("other-dermatitis", "Seborrhoeic eczema", True),
        ("psoriasis", "Psoriatic arthritis", True),
        ("tinea", "No tinea", False),
        ("scabies", "Scabies", True),
        ("scabies", "Exposure to scabies", False),
        ("non-eczema-dermatosis", "Vulval lichen sclerosus", True),
        ("non-eczema-dermatosis", "Discoid lupus erythematosus", True),
        ("non-eczema-dermatosis", "Atopic dermatitis", False),
        ("serious-infection", "Tuberculosis", True),
        ("serious-infection", "Tuberculosis screening negative", False),
    ],
)
def test_value_set_text_assertion(term: Terminology, name: str, text: str, asserted: bool) -> None:
    assert term.value_set(name).asserted_by(text) is asserted


def test_terms_match_at_word_starts_only() -> None:
    terms = compile_terms(["eczema"])
    assert read("eczematous dermatitis", terms, None) is AFFIRMED  # stems match at word start
    assert read("pseudoeczema", terms, None) is ABSENT


def test_text_is_folded_before_matching() -> None:
    terms = compile_terms(["atopic dermatitis"])
    assert read("ＡＴＯＰＩＣ　ＤＥＲＭＡＴＩＴＩＳ", terms, None) is AFFIRMED  # full-width
    assert read("Atopic\u00a0dermatitis", terms, None) is AFFIRMED


def test_only_the_start_of_a_long_text_is_read() -> None:
    terms = compile_terms(["eczema"])
    assert read("x " * 1500 + "eczema", terms, None) is ABSENT


def test_an_immunisation_record_named_beside_an_infection_is_not_immunity_to_it() -> None:
    """'Eczema herpeticum - immunisation history reviewed' is eczema herpeticum (a critical
    red flag); 'Hepatitis B vaccination status: immune' and 'Hepatitis B immune' are not
    hepatitis B."""
    herpeticum = compile_terms(["eczema herpeticum"])
    for text in (
        "Eczema herpeticum - immunisation history reviewed",
        "Eczema herpeticum; vaccination record up to date",
        "Eczema herpeticum, immunization review done",
    ):
        assert read(text, herpeticum, None) is Mention.AFFIRMED, text
    hepatitis_b = compile_terms(["hepatitis b"])
    for text in ("Hepatitis B vaccination status: immune", "Hepatitis B immune", "Hep B vaccine"):
        assert read(text, hepatitis_b, None) is not Mention.AFFIRMED, text
