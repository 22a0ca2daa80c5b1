"""The README rule table, generated from the rule registry and the card files."""

from __future__ import annotations

from collections.abc import Mapping

from cds_service.cards import CardTemplate
from cds_service.rules import Rule

START = "<!-- rules-table:start (python -m cds_service rules-table --write README.md) -->"
END = "<!-- rules-table:end -->"
HOOK_ORDER = (("order-select", "select"), ("order-sign", "sign"), ("patient-view", "view"))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(rules: Mapping[str, Rule], cards: Mapping[str, CardTemplate]) -> str:
    """One row per rule: id, hooks, indicator(s), trigger, source."""
    lines = [
        "| Rule id | Hooks | Indicator | Fires when | Source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule_id in sorted(rules):
        data = cards[rule_id].data
        hooks = ", ".join(word for hook, word in HOOK_ORDER if hook in rules[rule_id].hooks)
        indicators = [data["indicator"]]
        for variant in data.get("variants", {}).values():
            if variant.get("indicator") and variant["indicator"] not in indicators:
                indicators.append(variant["indicator"])
        source = f"[{_cell(data['source']['label'])}]({data['source']['url']})"
        lines.append(
            f"| `{rule_id}` | {hooks} | {' / '.join(indicators)} | "
            f"{_cell(data['trigger'])} | {source} |"
        )
    return "\n".join(lines) + "\n"


def replace(readme: str, table: str) -> str:
    """README text with the table between the markers replaced."""
    head, sep, rest = readme.partition(START)
    _old, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError("README has no rules-table markers")
    return f"{head}{START}\n{table}{END}{tail}"
