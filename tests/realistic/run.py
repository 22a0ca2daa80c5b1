"""Post every realistic chart (and the Synthea patients) through the Flask app, once.

Shared by the tests and by `python -m tests.realistic.report`: one app, pinned clock, a
throw-away SQLite file, auth off, exactly as `tests/conftest.py` sets the app up.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.ops.cardlog import flush_issued
from tests.conftest import FIXTURES, REFERENCE, SERVICE_FOR_HOOK, make_settings, pinned_clock
from tests.realistic.case import Case, load_cases

# The Synthea bundles vendored with their provenance (tests/data/reference/synthea/README.md).
SYNTHEA_DIR = REFERENCE / "synthea"


@dataclass(frozen=True)
class Answer:
    """One response: where the request came from and the cards it got."""

    source: str  # "realistic" or "synthea"
    id: str
    hook: str
    status: int
    body: dict[str, Any]

    @property
    def cards(self) -> list[dict[str, Any]]:
        return list(self.body.get("cards", []))

    @property
    def rules(self) -> list[tuple[str, str]]:
        """(rule id, indicator) per card, in response order."""
        return [(c["source"]["topic"]["code"], c["indicator"]) for c in self.cards]


def synthea_dir() -> Path:
    """The directory of the vendored Synthea bundles ($CDS_SYNTHEA_DIR to use others)."""
    env = os.environ.get("CDS_SYNTHEA_DIR")
    return Path(env) if env else SYNTHEA_DIR


def synthea_requests() -> list[tuple[str, dict[str, Any]]]:
    """(name, patient-view request) per Synthea bundle."""
    from tests.test_synthea import patient_view_request

    directory = synthea_dir()
    return [
        (p.name.split("_")[0], patient_view_request(json.loads(p.read_text(encoding="utf-8"))))
        for p in sorted(directory.glob("*.json"))
    ]


def post(client: FlaskClient, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for one hook request."""
    response = client.post(f"/cds-services/{SERVICE_FOR_HOOK[body['hook']]}", json=body)
    return response.status_code, response.get_json(silent=True) or {}


def fixture_answers() -> Iterator[Answer]:
    """Every rule fixture (fixtures/<rule-id>/*.json) through one fresh app."""
    with _client() as client:
        for path in sorted(FIXTURES.glob("*/*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            status, data = post(client, body)
            yield Answer("fixture", f"{path.parent.name}/{path.stem}", body["hook"], status, data)


def answers(cases: list[Case] | None = None, synthea: bool = True) -> Iterator[Answer]:
    """Every realistic case, then (unless `synthea=False`) every Synthea patient, through
    one fresh app."""
    with _client() as client:
        for case in load_cases() if cases is None else cases:
            status, data = post(client, case.request())
            yield Answer("realistic", case.id, case.hook, status, data)
        for name, body in synthea_requests() if synthea else []:
            status, data = post(client, body)
            yield Answer("synthea", name, body["hook"], status, data)


@contextmanager
def _client() -> Iterator[FlaskClient]:
    """A test client on a fresh app (pinned clock, throw-away SQLite, hook log quiet)."""
    hook_log = logging.getLogger("cds_service.hooks")  # one line per call: not wanted here
    level = hook_log.level
    # The issued-card writer thread may touch the SQLite file while the directory goes.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        app = create_app(make_settings(Path(tmp)), clock=pinned_clock)
        hook_log.setLevel(logging.WARNING)
        try:
            yield app.test_client()
        finally:
            hook_log.setLevel(level)
            flush_issued(app.extensions["cds_runtime"].store)
            app.extensions["cds_runtime"].store.dispose()
