"""The card gallery: every card the service can show, once, on a static page like an EHR panel.

Fixtures are found at run time (``fixtures/*/*-in.json``) and answered in process with the
time pinned to the day they were written for. Cards are grouped by rule under its title, with
an index, and each card variant appears once (`gallery_group.py`), so a clinician reviews
each text once. Markdown is rendered here (markdown-it-py, raw HTML off): no script needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from cds_service.cards import CardTemplate
from cds_service.errors import ServiceError
from cds_service.ops.gallery_group import BASE, Example, RuleGroup, group
from cds_service.ops.gallery_style import STYLE
from cds_service.pipeline import run_hook
from cds_service.runtime import Runtime

FIXTURE_NOW = "2026-11-22T12:00:00+00:00"  # the day the fixtures were written for
ORDER = {"critical": 0, "warning": 1, "info": 2}
_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass
class Entry:
    """One fixture and the cards (or error) the service answered it with."""

    name: str
    hook: str
    service: str
    cards: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def in_fixtures(root: Path) -> list[Path]:
    """Every fixture that should fire: `<root>/<rule-id>/<scenario>-in.json`, sorted."""
    return sorted(root.glob("*/*-in.json"))


def collect(rt: Runtime, paths: list[Path]) -> list[Entry]:
    """Answer each fixture with the service for its hook; errors are shown, not raised."""
    entries = []
    for path in paths:
        body = json.loads(path.read_text(encoding="utf-8"))
        body = {k: v for k, v in body.items() if k not in ("fhirServer", "fhirAuthorization")}
        hook = str(body.get("hook"))
        service = next((s for s in rt.services.values() if s.hook == hook), None)
        entry = Entry(f"{path.parent.name}/{path.stem}", hook, service.id if service else "-")
        if service is None:
            entry.error = f"no service answers the hook {hook!r}"
        else:
            try:
                cards = run_hook(rt, service, body).body["cards"]
                entry.cards = sorted(cards, key=lambda c: ORDER.get(c["indicator"], 9))
            except ServiceError as exc:
                entry.error = f"{exc.status}: {exc.message}"
        entries.append(entry)
    return entries


def render_markdown(text: str) -> str:
    """Card detail markdown as HTML (raw HTML in the markdown is escaped, not passed on)."""
    return _MD.render(text)


def render_page(
    entries: list[Entry],
    *,
    version: str,
    now: datetime,
    templates: dict[str, CardTemplate],
) -> str:
    """The whole gallery page: an index of rules, then each rule's card variants."""
    groups = group(templates, [(e.name, e.cards) for e in entries if not e.error])
    variants = sum(len(g.examples) for g in groups)
    index = "".join(
        f"<li><a href='#{escape(g.rule_id)}'>{escape(g.title)}</a> "
        + "".join(
            f"<span class='badge {escape(i)}'>{escape(i)}</span>"
            for i in sorted({e.card["indicator"] for e in g.examples}, key=ORDER.__getitem__)
        )
        + "</li>"
        for g in groups
    )
    errors = [e for e in entries if e.error]
    failed = (
        "<section class='errors'><h2>Examples that could not be shown</h2><ul>"
        + "".join(f"<li>{escape(e.name)}: {escape(e.error or '')}</li>" for e in errors)
        + "</ul></section>"
        if errors
        else ""
    )
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Card gallery</title><style>{STYLE}</style></head><body>"
        f"<header><h1>Card gallery</h1><p class='meta'>{len(groups)} rules, {variants} "
        f"different cards, from {len(entries)} example patients; rule catalogue "
        f"{escape(version)}; patient ages as of {escape(now.date().isoformat())}.</p></header>"
        f"<main><nav class='index'><h2>Rules</h2><ol>{index}</ol></nav>"
        f"{''.join(_rule(g, templates[g.rule_id]) for g in groups)}{failed}</main>"
        "</body></html>\n"
    )


def _rule(g: RuleGroup, template: CardTemplate) -> str:
    examples = "".join(_example(e, len(g.examples)) for e in g.examples)
    return (
        f"<section class='rule' id='{escape(g.rule_id)}' data-rule='{escape(g.rule_id)}' "
        f"data-cards='{len(g.examples)}'><h2>{escape(g.title)}</h2>"
        f"<p class='trigger'>Shown when: {escape(template.data['trigger'])}</p>"
        f"<p class='meta'>rule {escape(g.rule_id)}</p>{examples}</section>"
    )


def _example(example: Example, of: int) -> str:
    name = "Main card" if example.variant == BASE else example.variant.replace("-", " ")
    seen = len(example.fixtures)
    where = f"example {escape(example.fixtures[0])}" + (
        f" and {seen - 1} other{'s' if seen > 2 else ''}" if seen > 1 else ""
    )
    heading = f"<h3 class='variant'>{escape(name.capitalize())}</h3>" if of > 1 else ""
    return (
        f"<div class='example' data-variant='{escape(example.variant)}'>{heading}"
        f"<div class='panel'>{_card(example.card)}</div>"
        f"<p class='meta' title='{escape(', '.join(example.fixtures))}'>{where}</p></div>"
    )


def _card(card: dict[str, Any]) -> str:
    source = card["source"]
    rule = source.get("topic", {}).get("code", "")
    indicator = card["indicator"]
    version = card.get("extension", {}).get("org.eczema-cds.catalogue-version", "")
    link = f"<a href='{escape(source['url'])}'>{escape(source['label'])}</a>"
    actions = "".join(
        f"<button class='suggestion{' recommended' if s.get('isRecommended') else ''}' "
        f"type='button' disabled>{escape(s['label'])}</button>"
        for s in card.get("suggestions", [])
    )
    actions += "".join(
        f"<a class='link-button' href='{escape(lk['url'])}'>{escape(lk['label'])}</a>"
        for lk in card.get("links", [])
    )
    reasons = "".join(
        f"<option>{escape(r.get('display', r.get('code', '')))}</option>"
        for r in card.get("overrideReasons", [])
    )
    dismiss = (
        f"<select class='override' disabled><option>Override reason…</option>{reasons}</select>"
    )
    return (
        f"<article class='card {escape(indicator)}' data-rule='{escape(rule)}' "
        f"data-indicator='{escape(indicator)}'>"
        f"<div class='top'><span class='badge'>{escape(indicator)}</span>"
        f"<h3 class='summary'>{escape(card['summary'])}</h3></div>"
        f"<div class='detail'>{render_markdown(card.get('detail', ''))}</div>"
        f"<p class='source'>Source: {link}</p>"
        f"<div class='actions'>{actions}<button class='dismiss' type='button' disabled>Dismiss"
        f"</button>{dismiss if reasons else ''}</div>"
        f"<p class='meta'>rule {escape(rule)} &middot; catalogue {escape(version)}</p></article>"
    )
