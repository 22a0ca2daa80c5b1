"""Card files (`cards/*.toml`): the schema, loading, and the start-up checks.

Card text is data a clinician can review without reading Python. Every file is checked
against CARD_FILE_SCHEMA at start-up, every rule id must have exactly one file, and every
`{placeholder}` (summary, detail, suggestion labels, variants, phrases) must be a value its
rule declares; a rule's coded values (`codes=`) need a phrase for every code; `[joins]` and
`[absent]` word lists and missing values (`cardcheck.py` checks them all). A bad file stops
start-up with a message naming the file and what is wrong.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from cds_service.cardcheck import CardFileError as CardFileError
from cds_service.cardcheck import check_placeholders
from cds_service.cardcheck import placeholders as placeholders
from cds_service.rules import Rule

SUMMARY_MAX = 139

_TEXT = {"type": "string", "minLength": 1}
_JOIN_PAIR = {"type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2}
_LABELLED = {
    "type": "object",
    "required": ["key", "label"],
    "properties": {"key": _TEXT, "label": _TEXT, "recommended": {"type": "boolean"}},
    "additionalProperties": False,
}
_OVERRIDABLE = {
    "indicator": {"enum": ["info", "warning", "critical"]},
    "summary": {"type": "string", "minLength": 1, "maxLength": SUMMARY_MAX},
    "detail": _TEXT,
}
_SOURCE = {
    "type": "object",
    "required": ["label", "url"],
    "properties": {"label": _TEXT, "url": {"type": "string", "pattern": "^https://"}},
    "additionalProperties": False,
}
CARD_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["rule", "title", "trigger", "indicator", "summary", "detail", "source"],
    "properties": {
        "rule": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        "title": _TEXT,
        "trigger": _TEXT,  # one line for the README rule table and the card gallery
        **_OVERRIDABLE,
        "source": _SOURCE,
        "selection_behavior": {"enum": ["at-most-one", "any"]},
        "override_reasons": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "display"],
                "properties": {"code": _TEXT, "display": _TEXT},
                "additionalProperties": False,
            },
        },
        "suggestions": {"type": "array", "minItems": 1, "items": _LABELLED},
        "links": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["label", "url"],
                "properties": {"label": _TEXT, "url": {"type": "string", "pattern": "^https://"}},
                "additionalProperties": False,
            },
        },
        # Wording for values a rule returns as codes: [phrases.<value>] <code> = "text"
        "phrases": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "string"},  # "" for a code that adds nothing
            },
        },
        # How several codes of a coded value join: <value> = ", " (default "; "), or
        # [", ", " and "] (the second before the last: "a, b and c")
        "joins": {"type": "object", "additionalProperties": {"oneOf": [_TEXT, _JOIN_PAIR]}},
        # Words for a plain value the chart does not give (the rule leaves it out or None)
        "absent": {"type": "object", "additionalProperties": _TEXT},
        "variants": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                # `recommended`: the one suggestion key recommended in this variant; `source`:
                # e.g. a guideline for children, another for adults
                "properties": {**_OVERRIDABLE, "recommended": _TEXT, "source": _SOURCE},
                "additionalProperties": False,
                "minProperties": 1,
            },
        },
    },
    "additionalProperties": False,
    "dependentRequired": {"suggestions": ["selection_behavior"]},
}
_VALIDATOR = Draft202012Validator(CARD_FILE_SCHEMA)


@dataclass(frozen=True)
class CardTemplate:
    """One parsed card file."""

    rule: str
    data: Mapping[str, Any]
    path: Path
    # variant -> what cards.py reads of this file for it, read once (`cards._fixed`); not an
    # __init__ field, so a `dataclasses.replace`d template starts with its own, empty memo
    memo: dict[str | None, Any] = dataclasses.field(
        init=False, default_factory=dict, compare=False, repr=False
    )

    def field(self, name: str, variant: str | None) -> Any:
        """A field, taken from the variant table when the finding names one."""
        if variant:
            override = self.data.get("variants", {}).get(variant, {})
            if name in override:
                return override[name]
        return self.data.get(name)

    @property
    def phrases(self) -> Mapping[str, Mapping[str, str]]:
        """Value name -> code -> wording (`[phrases.<value>]`)."""
        return self.data.get("phrases", {})

    @property
    def joins(self) -> Mapping[str, str | list[str]]:
        """Coded value -> the words joining several of its phrases (`[joins]`)."""
        return self.data.get("joins", {})

    @property
    def absent(self) -> Mapping[str, str]:
        """Plain value -> its words when the rule has none (`[absent]`)."""
        return self.data.get("absent", {})


def load_card_files(directory: Path, rules: Mapping[str, Rule]) -> dict[str, CardTemplate]:
    """Read and validate every `*.toml` card file against its rule; fail fast naming the file."""
    if not directory.is_dir():
        raise CardFileError(f"{directory}: card directory not found")
    known = set(rules)
    templates: dict[str, CardTemplate] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name == "catalogue.toml" or path.name.startswith("_"):
            continue  # the version; `_suggestions.toml` (suggestions/_texts.py checks it)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CardFileError(f"{path}: cannot be read as TOML: {exc}") from exc
        errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
            raise CardFileError(f"{path}: {where}: {errors[0].message}")
        if data["rule"] not in known:
            raise CardFileError(f"{path}: unknown rule id {data['rule']!r}")
        if path.stem != data["rule"]:
            raise CardFileError(f"{path}: file name must be the rule id {data['rule']!r}")
        keys = {s["key"] for s in data.get("suggestions", [])}
        for name, variant in data.get("variants", {}).items():
            if "recommended" in variant and variant["recommended"] not in keys:
                raise CardFileError(f"{path}: variants/{name}/recommended: not a suggestion key")
        check_placeholders(path, data, rules[data["rule"]])
        templates[data["rule"]] = CardTemplate(data["rule"], data, path)
    missing = sorted(known - templates.keys())
    if missing:
        raise CardFileError(f"{directory}: no card file for rule(s): {', '.join(missing)}")
    return templates


def catalogue_version(directory: Path) -> str:
    """The rule-catalogue version from `cards/catalogue.toml`."""
    path = directory / "catalogue.toml"
    try:
        version = tomllib.loads(path.read_text(encoding="utf-8"))["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise CardFileError(f"{path}: needs a 'version' string ({exc})") from exc
    if not isinstance(version, str) or not version:
        raise CardFileError(f"{path}: 'version' must be a non-empty string")
    return version
