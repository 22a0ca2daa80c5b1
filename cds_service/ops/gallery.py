"""The card gallery: every "-in" fixture's cards on one static page, styled like an EHR panel.

Fixtures are found at run time (``fixtures/*/*-in.json``) and answered in process with the
time pinned to the day they were written for, so a clinician can review all card text at
once. Markdown is rendered here (markdown-it-py, raw HTML off): the page needs no script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from cds_service.errors import ServiceError
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


def render_page(entries: list[Entry], *, version: str, now: datetime) -> str:
    """The whole gallery page."""
    total = sum(len(e.cards) for e in entries)
    body = "".join(_fixture(e) for e in entries)
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Card gallery</title><style>{STYLE}</style></head><body>"
        f"<header><h1>Card gallery</h1><p class='meta'>{total} cards from {len(entries)} "
        f"fixtures; rule catalogue {escape(version)}; patient ages as of "
        f"{escape(now.date().isoformat())}.</p></header><main>{body}</main></body></html>\n"
    )


def _fixture(entry: Entry) -> str:
    inner = (
        f"<p class='error'>{escape(entry.error)}</p>"
        if entry.error
        else "".join(_card(c) for c in entry.cards) or "<p class='empty'>No cards.</p>"
    )
    return (
        f"<section class='fixture' data-fixture='{escape(entry.name)}' "
        f"data-cards='{len(entry.cards)}'><h2>{escape(entry.name)}</h2>"
        f"<p class='meta'>{escape(entry.hook)} &middot; {escape(entry.service)}</p>"
        f"<div class='panel'>{inner}</div></section>"
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
