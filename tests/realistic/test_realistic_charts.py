"""Every realistic chart gets the cards a clinician expects, and none it must not (issue 11).

Expectations are in `cases/*.toml`, each with its clinical reason; they come from
`docs/clinical-rules.md` (§5 wins) and the labels / NICE guidance, not from the service.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from cds_service import schemas
from tests.realistic.case import Case, load_cases
from tests.realistic.metrics import judge, recall
from tests.realistic.run import Answer, answers
from tests.test_fixtures import validate_fhir

CASES = load_cases()
RECALL_MIN = 0.98  # issue 11: recall >= 0.98 with every must-stay-silent case kept


@pytest.fixture(scope="module")
def realistic() -> dict[str, Answer]:
    """Every chart's answer, from one app (the module posts each chart once)."""
    return {a.id: a for a in answers(CASES, synthea=False)}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_chart(case: Case, realistic: dict[str, Answer]) -> None:
    answer = realistic[case.id]
    verdict = judge(case, answer)
    assert verdict.ok, verdict.explain()
    assert schemas.validation_errors("cds-response", answer.body) == []


def test_charts_are_valid_fhir() -> None:
    """The builder writes valid FHIR R4 (R4B models fit these resources), so a silent rule
    is never explained by a malformed chart."""
    invalid = []
    for case in CASES:
        body = case.request()
        resources = [body["prefetch"]["patient"]]
        for key, bundle in body["prefetch"].items():
            if key != "patient":
                resources += [e["resource"] for e in bundle["entry"]]
        resources += [
            e["resource"] for e in body["context"].get("draftOrders", {}).get("entry", [])
        ]
        for resource in resources:
            try:
                validate_fhir(resource)
            except ValueError as exc:
                invalid.append(f"{case.id} {resource['resourceType']}: {exc}")
    assert invalid == []


def test_recall_summary(realistic: dict[str, Answer], capsys: Any) -> None:
    verdicts = [judge(c, realistic[c.id]) for c in CASES]
    met, total, kept, quiet = recall(verdicts)
    failing = [v for v in verdicts if not v.ok]
    by_rule = Counter(r for v in failing for r in v.missing + v.unwanted)
    report = [
        f"realistic charts: {len(CASES)}, passing {len(CASES) - len(failing)}",
        f"must-fire recall: {met}/{total} = {met / total:.3f}",
        f"must-stay-silent kept: {kept}/{quiet}",
        "failing expectations by rule: "
        + (", ".join(f"{r} {n}" for r, n in by_rule.most_common()) or "none"),
    ]
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert met / total >= RECALL_MIN and kept == quiet, "\n".join(
        report + [v.explain() for v in failing]
    )
