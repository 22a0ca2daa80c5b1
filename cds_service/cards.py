"""Card files (`cards/*.toml`) -> validated templates -> CDS Hooks cards.

Card text is data a clinician can review without reading Python. Every file is checked
against CARD_FILE_SCHEMA at start-up and every rule id must have exactly one file; a bad
file stops start-up with a message naming it. Chart values substituted into the markdown
`detail` are escaped so they cannot inject links, HTML or formatting (`cardtext.py`).
"""

from __future__ import annotations

import logging
import tomllib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from cds_service.cardtext import escape_markdown as escape_markdown  # re-exported: tests
from cds_service.cardtext import fill
from cds_service.picture import PatientPicture
from cds_service.rules import Finding
from cds_service.suggestions import Builder

log = logging.getLogger(__name__)

TOPIC_SYSTEM = "https://cds.eczema.example.org/fhir/CodeSystem/rule-id"
OVERRIDE_SYSTEM = "https://cds.eczema.example.org/fhir/CodeSystem/override-reason"
CATALOGUE_EXTENSION = "org.eczema-cds.catalogue-version"
SUMMARY_MAX = 139

_TEXT = {"type": "string", "minLength": 1}
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


class CardFileError(Exception):
    """A card file is malformed, or the card files and the rules disagree."""


@dataclass(frozen=True)
class CardTemplate:
    """One parsed card file."""

    rule: str
    data: Mapping[str, Any]
    path: Path

    def field(self, name: str, variant: str | None) -> Any:
        """A field, taken from the variant table when the finding names one."""
        if variant:
            override = self.data.get("variants", {}).get(variant, {})
            if name in override:
                return override[name]
        return self.data.get(name)


def load_card_files(directory: Path, rule_ids: Iterable[str]) -> dict[str, CardTemplate]:
    """Read and validate every `*.toml` card file; fail fast naming the file."""
    if not directory.is_dir():
        raise CardFileError(f"{directory}: card directory not found")
    known = set(rule_ids)
    templates: dict[str, CardTemplate] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name == "catalogue.toml":
            continue
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


def _shorten(summary: str) -> str:
    if len(summary) <= SUMMARY_MAX:
        return summary
    return summary[: SUMMARY_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _build(
    builders: Mapping[str, Builder], key: str, finding: Finding, picture: PatientPicture
) -> list[dict[str, Any]]:
    """One suggestion's actions; none when the draft is too malformed to build from (the card
    still shows, without that suggestion: one odd draft never costs the call or the card)."""
    if key not in builders:
        return []
    try:
        return builders[key](finding, picture)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        log.warning("suggestion %s not built: %s", key, type(exc).__name__)
        return []


def render_card(
    template: CardTemplate,
    finding: Finding,
    picture: PatientPicture,
    builders: Mapping[str, Builder],
    version: str,
) -> dict[str, Any]:
    """A CDS Hooks 2.0.1 card: no null, empty string, empty list or empty object anywhere."""
    v = finding.variant
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": _shorten(fill(template.field("summary", v), finding.values, escape=False)),
        "indicator": template.field("indicator", v),
        "detail": fill(template.field("detail", v), finding.values, escape=True).strip(),
        "source": {
            "label": template.field("source", v)["label"],
            "url": template.field("source", v)["url"],
            "topic": {
                "system": TOPIC_SYSTEM,
                "code": finding.rule_id,
                "display": template.data["title"],
            },
        },
        "extension": {CATALOGUE_EXTENSION: version},
    }
    reasons = template.data.get("override_reasons")
    if reasons:
        card["overrideReasons"] = [
            {"system": OVERRIDE_SYSTEM, "code": r["code"], "display": r["display"]} for r in reasons
        ]
    links = template.data.get("links")
    if links:  # fixed https URLs from the card file (patient handouts); never chart text
        card["links"] = [{"label": k["label"], "url": k["url"], "type": "absolute"} for k in links]
    suggestions = []
    labels = {s["key"]: s for s in template.data.get("suggestions", [])}
    chosen = template.data.get("variants", {}).get(v, {}).get("recommended") if v else None
    for key in finding.suggestions:
        spec = labels.get(key)
        actions = _build(builders, key, finding, picture) if spec else []
        if not spec or not actions:
            continue
        suggestion: dict[str, Any] = {
            "label": fill(spec["label"], finding.values, escape=False),
            "uuid": str(uuid.uuid4()),
            "actions": actions,
        }
        if spec.get("recommended") if chosen is None else key == chosen:
            suggestion["isRecommended"] = True
        suggestions.append(suggestion)
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = template.data.get("selection_behavior", "at-most-one")
    return card
