"""The start-up check of a card file's placeholders against its rule's declared values.

Every `{placeholder}` (summary, detail, suggestion labels, variants, phrases) must be a value
the rule declares; each coded value (`codes=`) needs one phrase per code and no other; a phrase
names plain values, or a coded value whose phrases name plain values only; a `[joins]` entry
is for a coded value; an `[absent]` entry is plain words for a plain value.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from cds_service.rules import Rule


class CardFileError(Exception):
    """A card file is malformed, or the card files and the rules disagree."""


def placeholders(template: str) -> Iterator[str]:
    """The `{names}` in a template; ValueError for a malformed one or `{a.b}`, `{a[0]}`,
    `{a:spec}`, `{a!r}` (a card file names values, nothing else)."""
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"{{{name}}}: only plain {{value}} placeholders are allowed")
        yield name


def _texts(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, template) for every text a finding's values are filled into, phrases aside."""
    for name in ("summary", "detail"):
        if name in data:
            yield name, data[name]
    for i, suggestion in enumerate(data.get("suggestions", [])):
        yield f"suggestions/{i}/label", suggestion["label"]
    for variant, fields in data.get("variants", {}).items():
        for name in ("summary", "detail"):
            if name in fields:
                yield f"variants/{variant}/{name}", fields[name]


def _simple(phrases: Mapping[str, Mapping[str, str]], plain: frozenset[str]) -> set[str]:
    """The coded values whose phrases name plain values only: another phrase may name them."""
    simple = set()
    for value, table in phrases.items():
        try:
            if all(set(placeholders(text)) <= plain for text in table.values()):
                simple.add(value)
        except ValueError:
            continue  # reported with its place by check_placeholders
    return simple


def check_placeholders(path: Path, data: Mapping[str, Any], rule: Rule) -> None:
    """Every placeholder is a value the rule declares; every coded value has one phrase per
    code; a phrase names plain values, or another coded value whose phrases name plain values
    only (one level: `labs = "no result for {missing_labs}"`, never itself)."""
    phrases: Mapping[str, Mapping[str, str]] = data.get("phrases", {})
    plain = rule.values - rule.codes.keys()
    simple = _simple(phrases, plain)
    texts = list(_texts(data))
    for value, table in phrases.items():
        if value not in rule.codes:
            raise CardFileError(f"{path}: phrases/{value}: the rule returns no coded {value!r}")
        extra = sorted(table.keys() - rule.codes[value])
        if extra:
            raise CardFileError(f"{path}: phrases/{value}/{extra[0]}: not a code the rule returns")
        texts += [(f"phrases/{value}/{code}", text) for code, text in table.items()]
    for value in data.get("joins", {}):
        if value not in rule.codes:
            raise CardFileError(f"{path}: joins/{value}: the rule returns no coded {value!r}")
    for value, text in data.get("absent", {}).items():
        if value not in plain:
            raise CardFileError(
                f"{path}: absent/{value}: not a plain value rule {rule.id!r} declares"
            )
        if "{" in text or "}" in text:
            raise CardFileError(f"{path}: absent/{value}: plain words, no placeholders")
    for value, codes in rule.codes.items():
        missing = sorted(codes - (phrases.get(value) or {}).keys())
        if missing:
            raise CardFileError(f"{path}: phrases/{value}: no phrase for code {missing[0]!r}")
    for where, text in texts:
        own = where.split("/")[1] if where.startswith("phrases/") else None
        allowed = rule.values if own is None else plain | (simple - {own})
        try:
            names = list(placeholders(text))
        except ValueError as exc:
            raise CardFileError(f"{path}: {where}: {exc}") from exc
        for name in names:
            if name not in allowed:
                raise CardFileError(
                    f"{path}: {where}: placeholder {{{name}}} is not a value rule "
                    f"{rule.id!r} declares"
                )
