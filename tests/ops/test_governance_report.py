"""The committee's report (`feedback-report --html`): card titles, reasons in words, months."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cds_service import migrate
from cds_service.cards import load_card_files
from cds_service.ops.cli import main
from cds_service.ops.governance import NO_REASON, build_governance, months_between
from cds_service.ops.report import UNKNOWN
from cds_service.rules import load_rules
from cds_service.runtime import REPO_CARDS
from cds_service.storage import FeedbackStore, make_engine
from tests.ops.governance_seed import expected, seed

CARDS = load_card_files(REPO_CARDS, load_rules())
EMOLLIENT = "emollient-not-prescribed"
TCS = "tcs-potent-on-sensitive-site"


def seeded_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'governance.sqlite3'}"
    store = FeedbackStore(make_engine(url))
    migrate.upgrade(store.engine)
    seed(store)
    store.dispose()
    return url


def test_rules_carry_titles_totals_months_and_reasons_in_words(store: FeedbackStore) -> None:
    seed(store)
    rows = {r.rule_id: r for r in build_governance(store.engine, CARDS)}
    emollient = rows[EMOLLIENT]
    assert emollient.title == "No emollient with eczema treatment"
    total = emollient.total
    assert (total.shown, total.accepted, total.overridden) == expected(EMOLLIENT)
    assert total.override_rate == pytest.approx(48 / (44 + 48))
    assert emollient.reasons.most_common(3) == [
        ("Patient uses an over-the-counter emollient", 34),
        ("Emollients not tolerated", 11),
        (NO_REASON, 2),
    ]
    assert emollient.reasons["Patient declined"] == 1  # not on the card: the EHR's words
    assert not any("-" in why and " " not in why for why in emollient.reasons)  # no codes
    assert [(m, c.shown, c.overridden) for m, c in sorted(emollient.months.items())] == [
        ("2026-09", 40, 12),
        ("2026-10", 55, 15),
        ("2026-11", 70, 21),
    ]
    tcs = rows[TCS]
    assert tcs.reasons["Short course directed by a dermatologist"] == 4
    assert {v: c.shown for v, c in tcs.versions.items()} == {"2026.10.0": 8, "2026.11.0": 15}
    assert rows[UNKNOWN].total.overridden == 1 and rows[UNKNOWN].total.shown == 0
    assert list(rows)[0] == EMOLLIENT and list(rows)[-1] == UNKNOWN  # most shown first


def test_period_keeps_only_its_months(engine: Engine) -> None:
    store = FeedbackStore(engine)
    migrate.upgrade(engine)
    seed(store)
    since, until = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    rows = build_governance(engine, CARDS, since, until)
    assert months_between(rows) == ["2026-10"]
    assert {r.rule_id: r.total.shown for r in rows} == {
        EMOLLIENT: 55,
        TCS: 6,
        "patch-test-suggested": 3,
    }


def test_months_between_fills_gaps(store: FeedbackStore) -> None:
    seed(store)
    rows = build_governance(store.engine, CARDS)
    rows[0].months["2027-02"] = rows[0].months["2026-11"]
    assert months_between(rows)[2:] == ["2026-11", "2026-12", "2027-01", "2027-02"]


def test_html_has_a_summary_first_then_detail(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    args = ["feedback-report", "--database-url", seeded_file(tmp_path), "--html", str(page)]
    assert main([*args, "--since", "2026-09-01", "--until", "2026-12-01"]) == 0
    html = page.read_text()
    summary, detail = html.split("Detail by rule")
    assert "From 1 Sep 2026 to 30 Nov 2026" in summary
    assert "2026.10.0, 2026.11.0" in summary
    assert summary.count("class='rule-row'") == 4
    assert "No emollient with eczema treatment" in summary
    assert "Patient uses an over-the-counter emollient (34)" in summary
    assert "otc-emollient" not in html and "specialist-directed" not in html
    assert "Sep 2026: 40 shown, 12 overridden" in summary  # trend, in words for screen readers
    assert detail.count("<section class='rule'") == 4


def test_an_empty_period_says_so_in_the_page(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    url = seeded_file(tmp_path)
    assert main(["feedback-report", "--database-url", url, "--until", "2026-01-01",
                 "--html", str(page)]) == 0  # fmt: skip
    assert "No cards were shown and no feedback was received" in page.read_text()
