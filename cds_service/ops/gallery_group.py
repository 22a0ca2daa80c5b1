"""The gallery's grouping: cards by rule, one example per card variant.

Many fixtures answer with the same card (the emollient reminder comes with most steroid
orders), so a reviewer would read it dozens of times. A card names its rule
(`source.topic.code`) but not its variant, so the variant is recognised from the text: the
first variant (then the rule's own text) whose summary and detail templates match the card,
placeholders standing for any text. The example kept is the first fixture, by name, that
produced it; the others are listed so a reviewer can find them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cds_service.cards import CardTemplate

BASE = ""  # the rule's own text, no variant


@dataclass
class Example:
    """One card variant of a rule, the first card seen with it and the fixtures that gave it."""

    variant: str
    card: dict[str, Any]
    fixtures: list[str] = field(default_factory=list)


@dataclass
class RuleGroup:
    """A rule's title and its variants, in the order the card file defines them."""

    rule_id: str
    title: str
    examples: list[Example] = field(default_factory=list)


# cards.py makes counts agree with their nouns ("1 day", "3 episodes" from "episode(s)"), so
# the template's plural endings may be absent or present in a card.
_PLURAL = re.compile(r"\b(day|week|month|year|course|episode|dose|application|time)s\b")


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(template.strip()):
        parts.append(_PLURAL.sub(r"\1s?", re.escape(literal)).replace(r"\(s\)", "s?"))
        if name is not None:
            parts.append(".*?")  # a value may be empty (e.g. an optional clause)
    return re.compile("".join(parts), re.DOTALL)


def _matches(template: str | None, text: str) -> bool:
    if template is None:
        return False
    if text.endswith("…"):  # cards.py cut a long summary at a word: compare its start
        parsed = list(string.Formatter().parse(template.strip()))
        return text.startswith(parsed[0][0] if parsed else "")
    return _pattern(template).fullmatch(text.strip()) is not None


def variant_of(template: CardTemplate, card: Mapping[str, Any]) -> str:
    """The variant name whose text produced this card; BASE for the rule's own text."""
    names = [*template.data.get("variants", {}), BASE]
    for name in names:
        v = name or None
        if (
            template.field("indicator", v) == card["indicator"]
            and _matches(template.field("summary", v), card["summary"])
            and _matches(template.field("detail", v), card.get("detail", ""))
        ):
            return name
    return f"unrecognised: {card['summary']}"  # shown on its own rather than hidden


def group(
    templates: Mapping[str, CardTemplate], answered: Iterable[tuple[str, list[dict[str, Any]]]]
) -> list[RuleGroup]:
    """Rules that gave at least one card, by title; each variant once, in card-file order."""
    groups: dict[str, RuleGroup] = {}
    for fixture, cards in answered:
        for card in cards:
            rule_id = card["source"]["topic"]["code"]
            template = templates[rule_id]
            entry = groups.setdefault(rule_id, RuleGroup(rule_id, template.data["title"]))
            variant = variant_of(template, card)
            example = next((e for e in entry.examples if e.variant == variant), None)
            if example is None:
                example = Example(variant, card)
                entry.examples.append(example)
            if fixture not in example.fixtures:
                example.fixtures.append(fixture)
    for entry in groups.values():
        order = [*templates[entry.rule_id].data.get("variants", {}), BASE]
        entry.examples.sort(key=lambda e: (e.variant not in order, _rank(order, e.variant)))
    return sorted(groups.values(), key=lambda g: g.title.lower())


def _rank(order: list[str], variant: str) -> int:
    # The rule's own card first, then its variants as the card file lists them.
    if variant == BASE:
        return -1
    return order.index(variant) if variant in order else len(order)
