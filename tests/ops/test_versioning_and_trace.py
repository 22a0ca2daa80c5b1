"""Catalogue version on discovery and cards; the decision trace only when debug is on."""

from __future__ import annotations

import tomllib
from pathlib import Path

from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.ops.cardlog import flush_issued
from cds_service.pipeline import TRACE_EXTENSION
from tests.conftest import ROOT, load_fixture, make_settings, pinned_clock, post_hook

VERSION_KEY = "org.eczema-cds.catalogue-version"
FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
VERSION = tomllib.loads((ROOT / "cards" / "catalogue.toml").read_text())["version"]


def test_discovery_and_every_card_carry_the_catalogue_version(client: FlaskClient) -> None:
    services = client.get("/cds-services").get_json()["services"]
    assert services and all(s["extension"][VERSION_KEY] == VERSION for s in services)
    cards = post_hook(client, load_fixture(FIXTURE)).get_json()["cards"]
    assert cards and all(c["extension"][VERSION_KEY] == VERSION for c in cards)


def test_issued_cards_are_recorded_with_the_version(app: object, client: FlaskClient) -> None:
    cards = post_hook(client, load_fixture(FIXTURE)).get_json()["cards"]
    card = next(c for c in cards if c["source"]["topic"]["code"] == "tcs-potent-on-sensitive-site")
    store = app.extensions["cds_runtime"].store  # type: ignore[attr-defined]
    flush_issued(store)  # the background writer commits within 50 ms; don't wait for it
    recorded = store.issued()
    assert len(recorded) == len(cards)
    issued = next(i for i in recorded if i["card_uuid"] == card["uuid"])
    assert issued["card_uuid"] == card["uuid"]
    assert issued["catalogue_version"] == VERSION
    assert issued["rule_id"] == "tcs-potent-on-sensitive-site"


def test_trace_is_off_by_default(client: FlaskClient) -> None:
    body = post_hook(client, load_fixture(FIXTURE)).get_json()
    assert TRACE_EXTENSION not in body.get("extension", {})


def test_trace_is_returned_when_debug_is_on(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, debug_trace=True), clock=pinned_clock)
    body = post_hook(app.test_client(), load_fixture(FIXTURE)).get_json()
    app.extensions["cds_runtime"].store.dispose()
    trace = {step["rule"]: step for step in body["extension"][TRACE_EXTENSION]}
    assert trace["tcs-potent-on-sensitive-site"]["outcome"] == "fired"
    assert trace["patch-test-suggested"]["outcome"] == "silent"
    assert all(step["why"] for step in trace.values())
