"""The committee's report in headless Chromium: the summary reads on one printed page.

Set CDS_SCREENSHOT_DIR to keep the screenshots (build/ is a good place) and look at them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from cds_service import migrate
from cds_service.ops.cli import main
from cds_service.storage import FeedbackStore, make_engine
from tests.ops.governance_seed import expected, seed_catalogue
from tests.ops.test_governance_report import CARDS, seeded_file

# A4 landscape less the report's 12 mm margins, in CSS pixels (96 per inch).
PRINT_WIDTH, PRINT_HEIGHT = round(273 / 25.4 * 96), round(186 / 25.4 * 96)


def keep(shot: Path) -> None:
    where = os.environ.get("CDS_SCREENSHOT_DIR")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(where) / shot.name)


def test_summary_fits_one_printed_page_and_reads_in_words(browser: Any, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    args = ["feedback-report", "--database-url", seeded_file(tmp_path), "--html", str(html)]
    assert main([*args, "--since", "2026-09-01", "--until", "2026-12-01"]) == 0
    page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": PRINT_HEIGHT})
    page.goto(html.as_uri())
    page.emulate_media(media="print")
    summary = page.locator("section.summary")
    box = summary.bounding_box()
    assert box is not None and box["height"] <= PRINT_HEIGHT, box
    assert summary.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    shot = tmp_path / "governance-summary.png"
    summary.screenshot(path=str(shot))
    keep(shot)

    rows = summary.locator("tr.rule-row")
    assert rows.count() == 4
    first = rows.nth(0)
    assert first.locator(".title").inner_text() == "No emollient with eczema treatment"
    shown, accepted, overridden = expected("emollient-not-prescribed")
    cells = [first.locator(f"td.{c}").inner_text() for c in ("shown", "accepted", "overridden")]
    assert cells == [str(shown), str(accepted), str(overridden)]
    assert first.locator("td.rate").inner_text() == f"{overridden / (accepted + overridden):.0%}"
    assert first.locator("td.rate").evaluate("e => getComputedStyle(e).fontWeight") == "700"
    reasons = first.locator("ul.reasons li").all_inner_texts()
    assert reasons[0] == "Patient uses an over-the-counter emollient (34)"
    bars = first.locator(".trend svg rect")
    assert bars.count() == 6  # three months, shown and overridden each
    heights = [float(bars.nth(i).get_attribute("height") or 0) for i in range(0, 6, 2)]
    assert heights == sorted(heights) and heights[0] < heights[-1]  # 40, 55, 70 shown

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    detail = page.locator("section.rule").first
    detail.scroll_into_view_if_needed()
    assert detail.locator("h2").inner_text() == "No emollient with eczema treatment"
    shot = tmp_path / "governance-detail.png"
    detail.screenshot(path=str(shot))
    keep(shot)
    page.close()


def test_the_whole_catalogue_still_prints_its_summary_on_one_page(
    browser: Any, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
    store = FeedbackStore(make_engine(url))
    migrate.upgrade(store.engine)
    reasons = {r: [x["code"] for x in t.data.get("override_reasons", [])] for r, t in CARDS.items()}
    seed_catalogue(store, reasons)
    store.dispose()
    html = tmp_path / "report.html"
    assert main(["feedback-report", "--database-url", url, "--html", str(html)]) == 0
    page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": PRINT_HEIGHT})
    page.goto(html.as_uri())
    page.emulate_media(media="print")
    summary = page.locator("section.summary")
    assert summary.locator("tr.rule-row").count() == len(CARDS)
    box = summary.bounding_box()
    assert box is not None and box["height"] <= PRINT_HEIGHT, box
    shot = tmp_path / "governance-summary-catalogue.png"
    summary.screenshot(path=str(shot))
    keep(shot)
    page.close()
