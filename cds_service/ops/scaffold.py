"""`new-rule`: the files of a new rule, each marked TODO, passing every check of the suite.

Written into a source checkout (the only place a rule is added):
- `cards/<rule-id>.toml`: the card, valid against the card schema;
- `cds_service/rules/<rule_id>.py`: the rule, found by `load_rules()` like every module there;
- `cds_service/terminology/data/valuesets/<rule-id>.json`: the condition value set it asks
  about, holding one placeholder text pattern ("todo <rule words>") that no real chart has;
- `fixtures/<rule-id>/cases.toml`: one `-in` and one `-out` case (the JSON is generated
  from it by the caller, with the fixture generator of the checkout);
- the README rule table regenerated, and the catalogue version bumped (a new rule changes
  the catalogue's meaning).
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from pathlib import Path

from cds_service.terminology.valuesets import TEXT_PATTERN_URL, URL_PREFIX

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
HOOK_CONSTANTS = {"order-select": "SELECT", "order-sign": "SIGN", "patient-view": "VIEW"}
VALUESETS = Path("cds_service/terminology/data/valuesets")

RULE_MODULE = '''"""TODO: the guideline this rule follows, in one line (clinical-rules R-?).
TODO: the guideline's URL.
"""

from __future__ import annotations

from cds_service.picture import PatientPicture

from . import {hook}, Decision, Finding, Silent, rule

RULE = "{rule_id}"
# The value set cds_service/terminology/data/valuesets/{rule_id}.json (TODO: fill it).
CONDITION = "{rule_id}"


@rule(RULE, hooks=frozenset({{{hook}}}), needs=frozenset(), values="condition")
def {function}(picture: PatientPicture) -> Decision:
    """TODO: when this rule fires, in one line."""
    found = picture.active_conditions(CONDITION)
    if not found:
        return Silent(f"no active condition in {{CONDITION}}")
{orders}    return Finding(
        rule_id=RULE,
        reason=f"fired: an active condition in {{CONDITION}} (TODO: say why)",
        values={{"condition": found[0].text or CONDITION}},{finding_orders}
    )
'''
ORDERS = """    if not picture.drafts:
        return Silent("no draft orders in scope")
    order = picture.drafts[0]  # TODO: the draft orders this rule is about
"""

CARD = '''# Rule: {rule_id} (TODO: clinical-rules R-?)
# TODO: when it fires, for the clinical reviewer.
# Placeholders: {{condition}} (the values the rule declares in @rule(values=...))
rule = "{rule_id}"
title = "TODO: {title}"
trigger = "TODO: fires when the patient has an active condition in value set {rule_id}"
indicator = "info"
summary = "TODO: the advice in one line ({{condition}})"
detail = """
TODO: the advice in markdown, for a patient with **{{condition}}**.
"""

[source]
label = "TODO: the guideline's name"
url = "https://example.org/TODO-guideline-url"

[[override_reasons]]
code = "not-applicable"
display = "TODO: a reason a clinician may give to override"
'''

CASES = """# Compact cases for this folder's fixtures: `make fixtures` writes the JSON.
# Format: tests/realistic/fixturegen.py. TODO: cases either side of every threshold.

[[case]]
name = "{rule_id}-condition-active-in"
hook = "{hook}"
reason = "TODO: the placeholder condition of the value-set stub is on the problem list"
emollient = true
problems = ["AD", {{ text = "{pattern}" }}]
{drafts}indicator = "info"

[[case]]
name = "{rule_id}-condition-absent-out"
hook = "{hook}"
reason = "TODO: atopic dermatitis alone: the value set's condition is absent"
emollient = true
problems = ["AD"]
{drafts}"""
DRAFTS = 'drafts = [{ drug = "hydrocortisone 1% cream", sig = "Apply to the trunk twice daily" }]\n'


def check_rule_id(root: Path, rule_id: str, hook: str) -> None:
    """ValueError when the id is malformed, the hook unknown, or the rule already exists."""
    if not RULE_ID.fullmatch(rule_id):  # match() would let "tcs-new-check\n" through ($)
        raise ValueError(
            f"rule id {rule_id!r}: lower-case words joined by '-', e.g. 'tcs-new-check'"
        )
    if hook not in HOOK_CONSTANTS:
        raise ValueError(f"hook {hook!r}: one of {', '.join(HOOK_CONSTANTS)}")
    for path in planned(root, rule_id):
        if path.exists():
            raise ValueError(f"{path} exists: {rule_id} is not new")


def planned(root: Path, rule_id: str) -> list[Path]:
    """The files `write_rule` creates."""
    return [
        root / "cards" / f"{rule_id}.toml",
        root / "cds_service" / "rules" / f"{rule_id.replace('-', '_')}.py",
        root / VALUESETS / f"{rule_id}.json",
        root / "fixtures" / rule_id / "cases.toml",
    ]


def write_rule(root: Path, rule_id: str, hook: str, today: date) -> list[Path]:
    """Write the new rule's files (see the module docstring); returns them."""
    check_rule_id(root, rule_id, hook)
    card, module, value_set, cases = planned(root, rule_id)
    words = rule_id.replace("-", " ")
    pattern = f"todo {words}"
    order_hook = hook != "patient-view"
    card.write_text(CARD.format(rule_id=rule_id, title=words.capitalize()), encoding="utf-8")
    module.write_text(
        RULE_MODULE.format(
            rule_id=rule_id,
            hook=HOOK_CONSTANTS[hook],
            function=rule_id.replace("-", "_"),
            orders=ORDERS if order_hook else "",
            finding_orders="\n        orders=(order,)," if order_hook else "",
        ),
        encoding="utf-8",
    )
    value_set.write_text(_value_set(rule_id, pattern, today), encoding="utf-8")
    cases.parent.mkdir(parents=True, exist_ok=True)
    drafts = DRAFTS if order_hook else ""
    cases.write_text(
        CASES.format(rule_id=rule_id, hook=hook, pattern=pattern.upper(), drafts=drafts),
        encoding="utf-8",
    )
    bump_catalogue(root / "cards" / "catalogue.toml", today)
    return [card, module, value_set, cases]


def _value_set(rule_id: str, pattern: str, today: date) -> str:
    day = today.isoformat()
    name = "".join(w.capitalize() for w in rule_id.split("-"))
    doc = {
        "resourceType": "ValueSet",
        "id": rule_id,
        "url": URL_PREFIX + rule_id,
        "version": day.replace("-", "."),
        "name": name,
        "title": name,
        "status": "active",
        "experimental": False,
        "date": day,
        "publisher": "cds-eczema project",
        "description": f"TODO (UNVERIFIED): the conditions rule {rule_id} asks about, and the "
        f"source of each code. The text pattern '{pattern}' is a placeholder no real chart "
        "holds: replace it with codes (expansion.contains, compose) and text patterns.",
        "extension": [{"url": TEXT_PATTERN_URL, "valueString": pattern}],
        "expansion": {"timestamp": f"{day}T00:00:00Z", "total": 0},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def bump_catalogue(path: Path, today: date) -> str:
    """YYYY.MM.N -> this month's .0 when the month is later, else N + 1; returns it."""
    text = path.read_text(encoding="utf-8")
    old = tomllib.loads(text)["version"]
    year, month, n = (int(part) for part in old.split("."))
    new = (
        f"{today.year}.{today.month:02d}.0"
        if (today.year, today.month) > (year, month)
        else f"{year}.{month:02d}.{n + 1}"
    )
    path.write_text(text.replace(f'version = "{old}"', f'version = "{new}"'), encoding="utf-8")
    return new
