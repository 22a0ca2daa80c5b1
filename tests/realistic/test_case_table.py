"""The case table itself: big enough, balanced, several EHR styles per safety rule, and no
rule id that the service does not have (a typo would make an expectation that cannot fail)."""

from __future__ import annotations

from typing import Any

from tests.realistic.case import load_cases

CASES = load_cases()
# Rules whose silence could harm a patient: each needs firing charts in several styles.
SAFETY = (
    "tcs-potent-on-sensitive-site",
    "tci-age-strength",
    "tcs-potency-in-young-child",
    "tcs-very-potent-limits",
    "eczema-herpeticum",
    "cellulitis-urgent",
    "immunomodulator-combination",
    "oral-jak-screening",
    "biologic-label-check",
    "topical-jak-label-check",
    "roflumilast-label-check",
    "crisaborole-age",
    "tcs-with-tinea",
    "tcs-with-scabies",
    "tcs-with-rosacea-perioral",
    "antihistamine-topical",
)


def _fired(rule_id: str) -> list[Any]:
    return [c for c in CASES if rule_id in c.expected()]


def test_at_least_150_charts_a_third_of_them_must_stay_silent() -> None:
    assert len(CASES) >= 150
    assert sum(not c.fire for c in CASES) >= len(CASES) / 3


def test_every_case_has_a_reason_and_an_expectation() -> None:
    assert [c.id for c in CASES if not c.reason.strip() or not (c.fire or c.quiet)] == []


def test_every_safety_rule_fires_in_several_styles_and_stays_silent_somewhere() -> None:
    for rule_id in SAFETY:
        styles = {c.style for c in _fired(rule_id)}
        assert len(styles) >= 2, f"{rule_id}: firing charts only in {styles}"
        assert any(rule_id in c.quiet for c in CASES), f"{rule_id}: no must-stay-silent chart"


def test_more_than_one_ehr_style_each_with_both_kinds_of_case() -> None:
    for style in ("epic", "cerner", "uk", "synthea"):
        mine = [c for c in CASES if c.style == style]
        assert any(c.fire for c in mine) and any(not c.fire for c in mine), style


def test_every_rule_id_in_the_table_is_a_rule_of_the_service(app: Any) -> None:
    known = set(app.extensions["cds_runtime"].rules)
    named = {r for c in CASES for r in [*c.expected(), *c.quiet]}
    assert named - known == set()
    assert {c.expected()[r] for c in CASES for r in c.expected()} <= {
        None,
        "info",
        "warning",
        "critical",
    }
