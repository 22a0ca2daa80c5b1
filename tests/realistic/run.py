"""Post every realistic chart (and the Synthea patients) through the Flask app, once.

Shared by the tests and by `python -m tests.realistic.report`: one app, pinned clock, a
throw-away SQLite file, auth off, exactly as `tests/conftest.py` sets the app up.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from cds_service import create_app
from tests.conftest import ROOT, SERVICE_FOR_HOOK, SHARED, make_settings, pinned_clock
from tests.realistic.case import Case, load_cases

# The one place that knows where the Synthea bundles live (they are moving into the
# repository): $CDS_SYNTHEA_DIR first, then these, the first that holds bundles wins.
SYNTHEA_CANDIDATES = (
    ROOT / "synthea",
    ROOT / "fixtures" / "synthea",
    ROOT / "tests" / "data" / "synthea",
    SHARED / "synthea",
    ROOT.parent.parent / "shared" / "synthea",  # a git worktree two levels down
)


@dataclass(frozen=True)
class Answer:
    """One response: where the request came from and the cards it got."""

    source: str  # "realistic" or "synthea"
    id: str
    hook: str
    status: int
    cards: list[dict[str, Any]]

    @property
    def rules(self) -> list[tuple[str, str]]:
        """(rule id, indicator) per card, in response order."""
        return [(c["source"]["topic"]["code"], c["indicator"]) for c in self.cards]


def synthea_dir() -> Path | None:
    """The directory of Synthea bundles, or None when none is found."""
    env = os.environ.get("CDS_SYNTHEA_DIR")
    for candidate in ([Path(env)] if env else []) + list(SYNTHEA_CANDIDATES):
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    return None


def synthea_requests() -> list[tuple[str, dict[str, Any]]]:
    """(name, patient-view request) per Synthea bundle; empty when the bundles are absent."""
    from tests.test_synthea import patient_view_request

    directory = synthea_dir()
    if directory is None:
        return []
    return [
        (p.name.split("_")[0], patient_view_request(json.loads(p.read_text(encoding="utf-8"))))
        for p in sorted(directory.glob("*.json"))
    ]


def post(client: FlaskClient, body: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    response = client.post(f"/cds-services/{SERVICE_FOR_HOOK[body['hook']]}", json=body)
    data = response.get_json(silent=True) or {}
    return response.status_code, list(data.get("cards", []))


def answers(cases: list[Case] | None = None) -> Iterator[Answer]:
    """Every realistic case, then every Synthea patient, through one fresh app."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(make_settings(Path(tmp)), clock=pinned_clock)
        try:
            client = app.test_client()
            for case in load_cases() if cases is None else cases:
                status, cards = post(client, case.request())
                yield Answer("realistic", case.id, case.hook, status, cards)
            for name, body in synthea_requests():
                status, cards = post(client, body)
                yield Answer("synthea", name, body["hook"], status, cards)
        finally:
            app.extensions["cds_runtime"].store.dispose()
