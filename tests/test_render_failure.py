"""A card that fails to render at run time costs only that card: the other cards of the
response still come back (HTTP 200), and the failure is logged (rule id, exception type, no
patient data) and counted in /metrics."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service.runtime import Runtime
from tests.conftest import load_fixture, post_hook
from tests.ops.test_metrics import samples, value

SITE = "tcs-potent-on-sensitive-site"
FIXTURE = f"{SITE}/clobetasol-eyelid-coded-age-30-in.json"  # a site warning + the emollient card


def _rules(response: object) -> list[str]:
    return [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]  # type: ignore[attr-defined]


def _break(app: Flask, monkeypatch: pytest.MonkeyPatch, rule_id: str) -> None:
    """The card file of `rule_id` asks for a value its findings do not carry: what a card file
    edited after start-up, or a rule returning less than it declares, would do at run time."""
    rt: Runtime = app.extensions["cds_runtime"]
    template = rt.cards[rule_id]
    broken = replace(template, data={**template.data, "summary": "Check {not_a_value}"})
    monkeypatch.setitem(rt.cards, rule_id, broken)  # type: ignore[arg-type]


def test_the_fixture_gives_both_cards_unbroken(client: FlaskClient) -> None:
    response = post_hook(client, load_fixture(FIXTURE))
    assert response.status_code == 200
    assert set(_rules(response)) == {SITE, "emollient-not-prescribed"}


def test_a_card_that_fails_to_render_costs_only_that_card(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _break(app, monkeypatch, SITE)
    body = load_fixture(FIXTURE)
    with caplog.at_level(logging.INFO):
        response = post_hook(client, body)
    assert response.status_code == 200
    shown = _rules(response)  # triage now lets through what the warning had crowded out
    assert SITE not in shown and "emollient-not-prescribed" in shown
    [record] = [r for r in caplog.records if r.getMessage() == "card not rendered"]
    assert record.levelno == logging.ERROR
    assert record.rule == SITE and record.error == "KeyError"  # type: ignore[attr-defined]
    assert body["context"]["patientId"] not in caplog.text
    assert "not_a_value" not in caplog.text  # the exception's text is never logged
    m = samples(client)
    assert value(m, "cds_card_render_failures_total", rule=SITE) == 1
    assert value(m, "cds_card_render_failures_total", rule="emollient-not-prescribed") == 0
    assert value(m, "cds_rule_decisions_total", rule=SITE, outcome="render-failed") == 1
