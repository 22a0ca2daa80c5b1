"""The README stays true: every rule in the rule table, every setting in the config table."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from cds_service.ops import rules_table
from cds_service.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
HOOK_WORD = {"order-select": "select", "order-sign": "sign", "patient-view": "view"}


def _rule_rows() -> dict[str, list[str]]:
    rows = {}
    for line in README.splitlines():
        match = re.match(r"^\| `([a-z0-9-]+)` \|", line)
        if match:
            rows[match.group(1)] = [c.strip() for c in line.strip("|").split("|")]
    return rows


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```", 2)[1]
    assert "make serve" in first_block and "make test" in first_block


def test_every_rule_is_in_the_readme_rule_table_with_its_hooks_and_indicator(app: Any) -> None:
    rt = app.extensions["cds_runtime"]
    rows = _rule_rows()
    for rule_id, rule in rt.rules.items():
        assert rule_id in rows, f"{rule_id} missing from the README rule table"
        _id, hooks, indicator, *_rest = rows[rule_id]
        assert {h.strip() for h in hooks.split(",")} == {HOOK_WORD[h] for h in rule.hooks}
        card_indicators = {rt.cards[rule_id].data["indicator"]} | {
            v["indicator"] for v in rt.cards[rule_id].data.get("variants", {}).values()
            if "indicator" in v
        }  # fmt: skip
        assert {i.strip() for i in indicator.split("/")} == card_indicators, rule_id


def test_readme_rule_table_is_the_generated_one(app: Any) -> None:
    rt = app.extensions["cds_runtime"]
    expected = rules_table.replace(README, rules_table.render(rt.rules, rt.cards))
    assert expected == README, "run: python -m cds_service rules-table --write README.md"


def test_every_setting_is_documented() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for f in fields(Settings):
        if f.name == "extra":
            continue
        name = f"CDS_{f.name.upper()}"
        assert f"`{name}`" in README, f"{name} missing from the README configuration table"
        assert f"{name}=" in example, f"{name} missing from .env.example"
