"""A rule's finding carries values, never prose: the card files word everything a clinician
reads (README "Card files").

Over every fixture, each text value of each finding (coded values aside: the placeholder test
checks those against the declared codes) must be one of:
- a number, a number with its unit ("30 g", "0.15%", "11 years"), or an ISO date;
- a FHIR reference ("Condition/eh-1") or a machine code ("same-drug", "fluticasone-005");
- text copied from the chart (found in the request) or from the terminology data
  (`cds_service/terminology/data`: drug names, value-set displays);
- a name from one of the few name tables the rules and the suggestion builders share
  (`NAME_TABLES` below: body sites, maintenance products, the aciclovir dose bands), read from
  the modules themselves, so a sentence added to a rule is not in any of them.

Anything else ("none on record", " in 3 fills", "unknown strength") is prose built in Python
and fails, naming the rule, the value and the text. The check sees what the fixtures exercise:
a fallback no fixture reaches is not tried (every `-in` fixture fires its rule, so every
rule is seen at least once).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import cds_service.pipeline as pipeline
from cds_service.ops.explain import explain, start_runtime
from cds_service.rules import Finding, load_rules
from cds_service.rules._common import SITE_LABEL
from cds_service.rules._redflags import (
    ACICLOVIR_ADULT_SOURCE,
    ACICLOVIR_CHILD_SOURCE,
    aciclovir_dose,
)
from cds_service.rules._topical import _MORE_SITES
from cds_service.rules.maintenance import MAINTENANCE_STEROIDS
from tests.conftest import FIXTURES, ROOT, make_settings

RULES = load_rules()
TERMINOLOGY = ROOT / "cds_service" / "terminology" / "data"
_NUMBER = re.compile(
    r"-?\d+(\.\d+)?(%| ?(mg|g|kg|mL|ml|(year|month|week|day)s?))?|\d{4}-\d{2}-\d{2}", re.I
)
_REFERENCE = re.compile(r"[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}")
_CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)+|[a-z]+[0-9]+")  # a hyphen or a digit: not a word


def _name_tables() -> set[str]:
    doses = {aciclovir_dose(m) for m in (1, 24, 144)}
    return (
        set(SITE_LABEL.values())
        | set(_MORE_SITES.values())
        | set(MAINTENANCE_STEROIDS.values())
        | {d[1] for d in doses if d}
        | {ACICLOVIR_ADULT_SOURCE, ACICLOVIR_CHILD_SOURCE}
    )


def prose(text: str, chart: str, terminology: str, names: set[str]) -> bool:
    """True when `text` is none of the things a finding may carry (the module docstring)."""
    if not text or _NUMBER.fullmatch(text) or _REFERENCE.fullmatch(text):
        return False
    if _CODE.fullmatch(text) or text in names:
        return False
    # several sites joined by a rule ("face, neck"): each a name
    if all(part in names for part in text.split(", ")):
        return False
    return text.lower() not in chart and text.lower() not in terminology


def _texts(finding: Finding) -> Iterator[tuple[str, str]]:
    coded = RULES[finding.rule_id].codes
    for name, value in finding.values.items():
        if name in coded:
            continue
        for item in value if isinstance(value, tuple | list) else (value,):
            if isinstance(item, str):
                yield name, item


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Finding, str]]:
    """Every finding of every fixture, with its request as lower-case JSON text."""
    found: list[tuple[Finding, str]] = []
    chart = {"text": ""}
    render = pipeline.render_card

    def keep(template: Any, finding: Finding, *rest: Any) -> Any:
        found.append((finding, chart["text"]))
        return render(template, finding, *rest)

    patch = pytest.MonkeyPatch()
    patch.setattr(pipeline, "render_card", keep)
    try:
        settings = make_settings(tmp_path_factory.mktemp("values"))
        rt = start_runtime(settings, datetime(2026, 11, 22, 12, tzinfo=UTC))
        for path in sorted(FIXTURES.glob("*/*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(body, dict) and "hook" in body:
                chart["text"] = json.dumps(body, ensure_ascii=False).lower()
                explain(rt, body)
    finally:
        patch.undo()
    return found


def _terminology() -> str:
    files = sorted(TERMINOLOGY.rglob("*.json"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files).lower()


def test_no_finding_carries_prose(findings: list[tuple[Finding, str]]) -> None:
    assert {f.rule_id for f, _ in findings} >= set(RULES) - {"eczema-action-plan"}
    terminology, names = _terminology(), _name_tables()
    built = sorted(
        {
            (f.rule_id, name, text)
            for f, chart in findings
            for name, text in _texts(f)
            if prose(text, chart, terminology, names)
        }
    )
    assert built == [], "prose built in a rule (word it in the card file): " + repr(built[:5])


@pytest.mark.parametrize(
    "text",
    [
        "none on record",
        " in 3 fills (the first and 2 repeats)",
        "at least 25",
        "unknown strength",
        "6-17 years, 60 kg or more",
        "none",
        "date not recorded",
    ],
)
def test_the_check_catches_prose_the_rules_used_to_build(text: str) -> None:
    assert prose(text, '{"text": "clobetasol 0.05% ointment"}', "", _name_tables())


@pytest.mark.parametrize(
    "text", ["30", "0.15%", "11 years", "2026-11-01", "Condition/eh-1", "same-drug", "axillae"]
)
def test_values_and_names_are_not_prose(text: str) -> None:
    assert not prose(text, "", "", _name_tables())


def test_chart_text_is_not_prose() -> None:
    chart = json.dumps({"text": "Clobetasol Propionate 0.05% Ointment"}).lower()
    assert not prose("clobetasol propionate 0.05% ointment", chart, "", set())
    assert prose("clobetasol propionate 0.05% ointment", "{}", "", set())
