"""`python -m cds_service feedback-report`: per rule, text and an HTML page with bar charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cds_service import create_app
from cds_service.ops.cli import main
from tests.conftest import load_fixture, make_settings, pinned_clock, post_hook

FIXTURES = [
    "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json",
    "tcs-potent-on-sensitive-site/clobetasol-face-in-text-in.json",
    "patch-test-suggested/allergic-contact-dermatitis-coded-in.json",
]
REASON = {
    "reason": {
        "system": "https://cds.eczema.example.org/fhir/CodeSystem/override-reason",
        "code": "specialist-directed",
        "display": "Directed by a dermatologist",
    }
}


def feed(tmp_path: Path) -> str:
    """Post three fixtures and feedback on two of their cards; return the database URL."""
    settings = make_settings(tmp_path)
    app = create_app(settings, clock=pinned_clock)
    client = app.test_client()
    uuids = [
        next(
            c["uuid"]
            for c in post_hook(client, load_fixture(f)).get_json()["cards"]
            if c["source"]["topic"]["code"] == Path(f).parent.name
        )
        for f in FIXTURES
    ]
    when = "2026-11-22T12:00:00Z"
    over = {"outcome": "overridden", "outcomeTimestamp": when}
    entries = [
        {"card": uuids[0], **over, "overrideReason": REASON},
        {"card": uuids[1], "outcome": "accepted", "acceptedSuggestions": [{"id": "s"}],
         "outcomeTimestamp": when},
        {"card": "unknown-card", **over},
    ]  # fmt: skip
    url = "/cds-services/eczema-order-sign/feedback"
    assert client.post(url, json={"feedback": entries}).status_code == 200
    app.extensions["cds_runtime"].store.dispose()
    return settings.database_url


def test_report_per_rule_as_json_text_and_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = feed(tmp_path)
    args = ["feedback-report", "--database-url", db, "--since", "2026-11-01"]
    assert main([*args, "--until", "2026-12-01", "--json"]) == 0
    rules = {r["rule"]: r for r in json.loads(capsys.readouterr().out)["rules"]}
    tcs = rules["tcs-potent-on-sensitive-site"]
    assert (tcs["shown"], tcs["accepted"], tcs["overridden"]) == (2, 1, 1)
    assert tcs["acceptanceRate"] == 0.5
    assert tcs["overrideReasons"] == {"Directed by a dermatologist": 1}
    assert rules["patch-test-suggested"]["shown"] == 1
    assert rules["(unknown)"]["overridden"] == 1

    html = tmp_path / "report.html"
    assert main([*args, "--html", str(html)]) == 0
    text = capsys.readouterr().out
    assert "tcs-potent-on-sensitive-site" in text and "50%" in text
    assert "overridden 1x: Directed by a dermatologist" in text
    page = html.read_text()
    assert page.count("<section class='rule'") == len(rules)  # one per rule shown, + unknown
    assert "class='bar accepted' style='width:50.0%" in page


def test_a_period_without_data_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = feed(tmp_path)
    assert main(["feedback-report", "--database-url", db, "--until", "2026-01-01"]) == 0
    assert "no cards issued and no feedback" in capsys.readouterr().out
