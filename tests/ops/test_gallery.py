"""The card gallery in headless Chromium: every "-in" fixture's cards appear, markdown rendered.

Needs Debian's chromium (`make browser` installs it). Skips without it, except in CI
(`CI` set), where a missing browser fails the test instead of hiding it.
"""

from __future__ import annotations

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


def test_gallery_shows_every_card_with_markdown_rendered(
    browser: Any, client: FlaskClient, tmp_path: Path
) -> None:
    out = tmp_path / "gallery.html"
    assert main(["gallery", "--out", str(out)]) == 0
    expected = expected_cards(client)
    assert expected, "no -in fixtures found"
    page = browser.new_page()
    page.goto(out.as_uri())
    sections = page.locator("section.fixture")
    assert sections.count() == len(expected)
    colours = {}
    for name, cards in expected.items():
        section = page.locator(f"section.fixture[data-fixture='{name}']")
        shown = section.locator("article.card")
        assert shown.count() == len(cards), name
        summaries = sorted(shown.locator(".summary").all_inner_texts())
        assert summaries == sorted(c["summary"] for c in cards), name
        for i in range(shown.count()):
            el = shown.nth(i)
            assert el.is_visible()
            card = next(c for c in cards if c["summary"] == el.locator(".summary").inner_text())
            detail = el.locator(".detail")
            text = detail.inner_text()
            assert detail.locator("p").count() >= 1, name
            assert "**" not in text and "\\" not in text, f"{name}: markdown not rendered"
            if "**" in card["detail"]:
                assert detail.locator("strong").count() >= 1, name
            link = el.locator(".source a")
            assert link.get_attribute("href") == card["source"]["url"]
            buttons = el.locator("button.suggestion")
            assert buttons.all_inner_texts() == [s["label"] for s in card.get("suggestions", [])]
            colour = el.evaluate("e => getComputedStyle(e).borderLeftColor")
            colours.setdefault(card["indicator"], set()).add(colour)
    assert all(len(c) == 1 for c in colours.values())  # one colour per indicator
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)  # and they differ
    page.close()


def test_chart_text_cannot_inject_html_into_the_gallery() -> None:
    from cds_service.ops.gallery import render_markdown

    html = render_markdown("**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>")
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and "<img" not in html
