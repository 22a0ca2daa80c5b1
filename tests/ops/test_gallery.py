"""The card gallery in headless Chromium: grouped by rule, each card once, markdown rendered.

Needs Debian's chromium (`make browser` installs it). Skips without it, except in CI
(`CI` set), where a missing browser fails the test instead of hiding it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from cds_service.ops.cli import main
from tests.conftest import FIXTURES, load_fixture, post_hook


def expected_cards(client: FlaskClient) -> dict[str, list[dict[str, Any]]]:
    """Every -in fixture answered over HTTP, independently of the gallery code."""
    out = {}
    for path in sorted(FIXTURES.glob("*/*-in.json")):
        response = post_hook(client, load_fixture(path))
        assert response.status_code == 200
        out[f"{path.parent.name}/{path.stem}"] = response.get_json()["cards"]
    return out


def test_gallery_groups_cards_by_rule_once_per_variant(
    browser: Any, client: FlaskClient, tmp_path: Path
) -> None:
    out = tmp_path / "gallery.html"
    assert main(["gallery", "--out", str(out)]) == 0
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for cards in expected_cards(client).values():
        for card in cards:
            by_rule.setdefault(card["source"]["topic"]["code"], []).append(card)
    assert by_rule, "no -in fixtures found"
    page = browser.new_page()
    page.goto(out.as_uri())
    sections = page.locator("section.rule")
    assert sections.count() == len(by_rule)
    links = page.locator("nav.index a")
    assert links.count() == len(by_rule)
    titles = links.all_inner_texts()
    assert titles == sorted(titles, key=str.lower)
    assert page.locator("article.card").count() < sum(map(len, by_rule.values())) / 3
    colours = {}
    for rule, cards in by_rule.items():
        section = page.locator(f"section.rule[data-rule='{rule}']")
        assert section.locator("h2").inner_text() == cards[0]["source"]["topic"]["display"]
        assert page.locator(f"nav.index a[href='#{rule}']").count() == 1
        shown = section.locator("article.card")
        summaries = shown.locator(".summary").all_inner_texts()
        assert len(summaries) == len(set(summaries)), f"{rule}: a card repeated"
        assert {c["indicator"] for c in cards} == set(
            shown.evaluate_all("els => els.map(e => e.dataset.indicator)")
        ), f"{rule}: an indicator variant is missing"
        for i in range(shown.count()):
            el = shown.nth(i)
            assert el.is_visible()
            card = next(c for c in cards if c["summary"] == el.locator(".summary").inner_text())
            detail = el.locator(".detail")
            text = detail.inner_text()
            assert detail.locator("p").count() >= 1, rule
            assert "**" not in text and "\\" not in text, f"{rule}: markdown not rendered"
            if "**" in card["detail"]:
                assert detail.locator("strong").count() >= 1, rule
            link = el.locator(".source a")
            assert link.get_attribute("href") == card["source"]["url"]
            buttons = el.locator("button.suggestion")
            assert buttons.all_inner_texts() == [s["label"] for s in card.get("suggestions", [])]
            colour = el.evaluate("e => getComputedStyle(e).borderLeftColor")
            colours.setdefault(card["indicator"], set()).add(colour)
    assert all(len(c) == 1 for c in colours.values())  # one colour per indicator
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)  # and they differ
    taper = page.locator("section.rule[data-rule='tcs-taper-after-long-use'] article.card")
    # the main card, "stopping", "ended" and the sensitive-site step-down: not one per fixture
    assert taper.count() == 4
    emollient = page.locator("section.rule[data-rule='emollient-not-prescribed'] article.card")
    assert emollient.count() == 1  # one card, not one per steroid fixture
    if os.environ.get("CDS_SCREENSHOT_DIR"):
        where = Path(os.environ["CDS_SCREENSHOT_DIR"])
        where.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1100, "height": 1400})
        page.screenshot(path=str(where / "gallery-top.png"))
        page.locator("section.rule[data-rule='antihistamine-sedating-bedtime']").screenshot(
            path=str(where / "gallery-rule.png")
        )
    page.close()


def test_chart_text_cannot_inject_html_into_the_gallery() -> None:
    from cds_service.ops.gallery import render_markdown

    html = render_markdown("**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>")
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and "<img" not in html
