"""Free text is read only from its start, so one long field cannot tie a worker: a sig or a
plan's text past the cap is not read (without the cap a 2 MB sig took about a second)."""

from __future__ import annotations

from cds_service.picture import record_text
from cds_service.picture.course import restate_course
from cds_service.rules._dupilumab import _MG, _dose_mg
from cds_service.suggestions.red_flags import _dose_in_sig
from cds_service.terminology import Terminology
from cds_service.terminology.drugtext import MAX_TEXT as DRUG_TEXT
from cds_service.terminology.sites import _LIMITED_USE_RE, text_sites
from cds_service.terminology.valuesets import MAX_TEXT

_PAD = " " * 600  # past the 500 characters of a sig that are read


def test_a_course_past_the_start_of_the_sig_is_not_rewritten() -> None:
    assert restate_course("Apply twice daily for 4 weeks", "14 days") == (
        "Apply twice daily for 14 days"
    )
    long_sig = "Apply twice daily" + _PAD + "for 4 weeks"
    assert restate_course(long_sig, "14 days") == long_sig
    tail = "Apply twice daily for 4 weeks" + _PAD + "x"
    assert restate_course(tail, "14 days") == "Apply twice daily for 14 days" + _PAD + "x"


def test_a_dose_past_the_start_of_the_sig_is_not_read() -> None:
    assert _dose_in_sig("Take 1 tablet at night") == "1 tablet"
    assert _dose_in_sig("Take at night" + _PAD + "1 tablet") is None


def test_a_not_made_word_past_the_text_cap_is_not_read() -> None:
    terminology = Terminology.load()
    text = "Referral to dermatology declined"
    assert not record_text.names(terminology, "dermatology-referral", [text])
    padded = "Referral to dermatology" + " " * MAX_TEXT + "declined"
    assert record_text.names(terminology, "dermatology-referral", [padded])


def test_a_dupilumab_concentration_past_the_start_of_the_name_is_not_read() -> None:
    ml_dose = {"doseAndRate": [{"doseQuantity": {"value": 2, "unit": "mL"}}]}
    assert _dose_mg(ml_dose, "Dupilumab 300 MG in 2 ML") == 300.0
    assert _dose_mg(ml_dose, "Dupilumab" + " " * DRUG_TEXT + "300 MG in 2 ML") is None
    # A number is read from its first digit (so a run of digits is scanned once, not from
    # each of its digits): the number found is the same.
    match = _MG.search("x12300 mg")
    assert match is not None and match[1] == "12300"


def test_a_limits_span_ends_at_a_second_dont() -> None:
    """'dont' ends a limit's span as 'do not' does: each 'dont use' no longer reads on to
    the end of the clause past all the others (quadratic in a sig repeating it)."""
    text = "dont use on face dont use for more than 2 weeks"
    match = _LIMITED_USE_RE.search(text)
    assert match is not None and match.start() == text.index("dont use for")


def test_dont_without_its_apostrophe_negates_a_site() -> None:
    """'dont use on face' keeps the drug off the face, as "don't" and 'do not' do."""
    for sig in ("apply to arms, dont use on face", "apply to arms, don't use on face"):
        assert text_sites(sig) == frozenset({"upper-limb"}), sig
