"""Finding + card template -> CDS Hooks card.

The card files (`cards/*.toml`, loaded and checked at start-up by `cardfile.py`) hold every
word a clinician reads; a rule gives values only, and codes the card file words
(`[phrases.<value>]`). Chart values substituted into the markdown `detail` are escaped so they
cannot inject links, HTML or formatting (`cardtext.py`). A card that fails to render at run
time is logged and left out: it never costs the other cards of the response.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cds_service.cardfile import CARD_FILE_SCHEMA as CARD_FILE_SCHEMA
from cds_service.cardfile import SUMMARY_MAX, CardTemplate
from cds_service.cardfile import CardFileError as CardFileError
from cds_service.cardfile import catalogue_version as catalogue_version
from cds_service.cardfile import load_card_files as load_card_files
from cds_service.cardtext import escape_markdown as escape_markdown  # re-exported: tests
from cds_service.cardtext import fill_worded, number_agreement, worded
from cds_service.picture import PatientPicture
from cds_service.rules import Finding
from cds_service.suggestions import Builder

log = logging.getLogger(__name__)

TOPIC_SYSTEM = "https://cds.eczema.example.org/fhir/CodeSystem/rule-id"
OVERRIDE_SYSTEM = "https://cds.eczema.example.org/fhir/CodeSystem/override-reason"
CATALOGUE_EXTENSION = "org.eczema-cds.catalogue-version"
RENDER_FAILED = "render-failed"  # the decision-trace outcome of a card that failed to render
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_BATCH = 16  # uuids per os.urandom read: a response has ~10 (a card and its suggestions)


def _uuid(h: str, at: int) -> str:
    """The UUID `str(uuid.UUID(bytes=..., version=4))` writes for the 16 bytes in hex at `at`:
    version 4, the RFC 4122 variant."""
    return (
        f"{h[at : at + 8]}-{h[at + 8 : at + 12]}-4{h[at + 13 : at + 16]}-"
        f"{_VARIANT[h[at + 16]]}{h[at + 17 : at + 20]}-{h[at + 20 : at + 32]}"
    )


def random_uuid() -> str:
    """A random (version 4) UUID from os.urandom, as `str(uuid.uuid4())` writes it."""
    return _uuid(os.urandom(16).hex(), 0)


class UuidSource:
    """Random (version 4) UUIDs for ONE response: one os.urandom read for up to `_BATCH` of
    them, not a system call each. Made per call, never shared between calls or processes (a
    source made before a fork would repeat its uuids in every worker)."""

    __slots__ = ("_hex", "_at")

    def __init__(self) -> None:
        self._hex = ""
        self._at = 0

    def __call__(self) -> str:
        if self._at >= len(self._hex):
            self._hex, self._at = os.urandom(16 * _BATCH).hex(), 0
        self._at += 32
        return _uuid(self._hex, self._at - 32)


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


def _for_builders(
    finding: Finding, phrases: Mapping[str, Any], plain: Mapping[str, str]
) -> Finding:
    """The finding with each coded value in its card-file wording (plain text, as worded in
    `plain`): the text a builder puts in a resource (a ServiceRequest note) is the card
    file's, like the card's."""
    phrased = {k: number_agreement(plain[k]) for k in finding.values if k in phrases}
    if not phrased:
        return finding
    return dataclasses.replace(finding, values={**finding.values, **phrased})


def render_card(
    template: CardTemplate,
    finding: Finding,
    picture: PatientPicture,
    builders: Mapping[str, Builder],
    version: str,
    uuids: Callable[[], str] = random_uuid,
) -> dict[str, Any] | None:
    """The card, or None when it cannot be rendered (a value missing, a code without a phrase):
    logged with the rule id and the exception type (never its text: it may quote chart data),
    so that one broken card never costs the clinician the other cards."""
    try:
        return _render(template, finding, picture, builders, version, uuids)
    except Exception as exc:  # noqa: BLE001  (the safety net is the point)
        log.error("card not rendered", extra={"rule": finding.rule_id, "error": type(exc).__name__})
        return None


@dataclass(frozen=True, slots=True)
class _Fixed:
    """What a card takes from its card file for one variant, looked up once per template."""

    summary: str
    indicator: str
    detail: str
    label: str
    url: str
    title: str
    reasons: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str], ...]
    suggestions: Mapping[str, Mapping[str, Any]]  # key -> its [[suggestions]] entry
    chosen: str | None  # the variant's recommended suggestion key
    selection: str
    wording: tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]


def _fixed(template: CardTemplate, v: str | None) -> _Fixed:
    fixed = template.memo.get(v)
    if fixed is None:
        data = template.data
        fixed = template.memo[v] = _Fixed(
            summary=template.field("summary", v),
            indicator=template.field("indicator", v),
            detail=template.field("detail", v),
            label=template.field("source", v)["label"],
            url=template.field("source", v)["url"],
            title=data["title"],
            reasons=tuple((r["code"], r["display"]) for r in data.get("override_reasons") or ()),
            links=tuple((k["label"], k["url"]) for k in data.get("links") or ()),
            suggestions={s["key"]: s for s in data.get("suggestions", [])},
            chosen=data.get("variants", {}).get(v, {}).get("recommended") if v else None,
            selection=data.get("selection_behavior", "at-most-one"),
            wording=(template.phrases, template.joins, template.absent),
        )
    return fixed


def _render(
    template: CardTemplate,
    finding: Finding,
    picture: PatientPicture,
    builders: Mapping[str, Builder],
    version: str,
    uuids: Callable[[], str],
) -> dict[str, Any]:
    """A CDS Hooks 2.0.1 card: no null, empty string, empty list or empty object anywhere.
    Every dict and list is new (only strings come from the card file)."""
    fixed = _fixed(template, finding.variant)
    # Each value worded once per card, plain (summary, labels, builders) and escaped (detail).
    plain = worded(finding.values, False, *fixed.wording)
    card: dict[str, Any] = {
        "uuid": uuids(),
        "summary": _shorten(fill_worded(fixed.summary, plain)),
        "indicator": fixed.indicator,
        "detail": fill_worded(fixed.detail, worded(finding.values, True, *fixed.wording)).strip(),
        "source": {
            "label": fixed.label,
            "url": fixed.url,
            "topic": {"system": TOPIC_SYSTEM, "code": finding.rule_id, "display": fixed.title},
        },
        "extension": {CATALOGUE_EXTENSION: version},
    }
    if fixed.reasons:
        card["overrideReasons"] = [
            {"system": OVERRIDE_SYSTEM, "code": code, "display": display}
            for code, display in fixed.reasons
        ]
    if fixed.links:  # fixed https URLs from the card file (patient handouts); never chart text
        card["links"] = [
            {"label": label, "url": url, "type": "absolute"} for label, url in fixed.links
        ]
    suggestions = []
    phrased = _for_builders(finding, fixed.wording[0], plain) if finding.suggestions else finding
    for key in finding.suggestions:
        spec = fixed.suggestions.get(key)
        actions = _build(builders, key, phrased, picture) if spec else []
        if not spec or not actions:
            continue
        suggestion: dict[str, Any] = {
            "label": fill_worded(spec["label"], plain),
            "uuid": uuids(),
            "actions": actions,
        }
        if spec.get("recommended") if fixed.chosen is None else key == fixed.chosen:
            suggestion["isRecommended"] = True
        suggestions.append(suggestion)
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = fixed.selection
    return card
