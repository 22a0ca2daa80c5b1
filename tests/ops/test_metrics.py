"""/metrics moves when fixtures and feedback are posted; labels hold ids, never patient data."""

from __future__ import annotations

import socket
from typing import Any

from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import FIXTURES, load_fixture, post_hook

TCS = "tcs-potent-on-sensitive-site"
IN_FIXTURE = f"{TCS}/clobetasol-eyelid-coded-age-30-in.json"
OUT_FIXTURE = f"{TCS}/clobetasol-trunk-coded-out.json"


def samples(client: FlaskClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(metrics: dict[Any, float], name: str, **labels: str) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


def test_counters_move_when_every_fixture_is_posted(client: FlaskClient) -> None:
    paths = sorted(FIXTURES.glob("*/*-in.json")) + sorted(FIXTURES.glob("*/*-out.json"))
    posted: dict[str, int] = {}
    cards: dict[str, int] = {}
    for path in paths:
        response = post_hook(client, load_fixture(path))
        assert response.status_code == 200
        service = response.request.path.rsplit("/", 1)[1]
        posted[service] = posted.get(service, 0) + 1
        for card in response.get_json()["cards"]:
            rule = card["source"]["topic"]["code"]
            cards[rule] = cards.get(rule, 0) + 1
    m = samples(client)
    for service, count in posted.items():
        assert value(m, "cds_hook_requests_total", service=service, status="200") == count
        assert value(m, "cds_hook_request_duration_seconds_count", service=service) == count
        for stage in ("parse", "validate", "fetch", "picture", "rules", "render"):
            assert (
                value(m, "cds_hook_stage_duration_seconds_count", service=service, stage=stage)
                == count
            )
    shown: dict[str, float] = {}
    for (name, labels), v in m.items():
        if name == "cds_cards_total":
            rule = dict(labels)["rule"]
            shown[rule] = shown.get(rule, 0) + v
    assert shown == cards and cards[TCS] > 0
    fired = value(m, "cds_rule_decisions_total", rule=TCS, outcome="fired")
    assert fired == cards[TCS]


def test_feedback_is_counted_per_rule_and_unknown_cards_apart(client: FlaskClient) -> None:
    cards = post_hook(client, load_fixture(IN_FIXTURE)).get_json()["cards"]
    card = next(c for c in cards if c["source"]["topic"]["code"] == TCS)
    entries = [
        {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-22T12:00:00Z"},
        {
            "card": "not-ours",
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "s1"}],
            "outcomeTimestamp": "2026-11-22T12:00:00Z",
        },
    ]
    url = "/cds-services/eczema-order-sign/feedback"
    assert client.post(url, json={"feedback": entries}).status_code == 200
    m = samples(client)
    assert value(m, "cds_feedback_total", rule=TCS, outcome="overridden") == 1
    assert value(m, "cds_feedback_total", rule="unknown", outcome="accepted") == 1
    assert value(m, "cds_catalogue_info", version=card["extension"][
        "org.eczema-cds.catalogue-version"]) == 1  # fmt: skip


def test_errors_and_failed_fhir_fetches_are_counted(client: FlaskClient) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    body = load_fixture(OUT_FIXTURE)
    del body["prefetch"]["patient"]
    body["fhirServer"] = f"http://127.0.0.1:{port}/fhir"
    assert post_hook(client, body).status_code == 412
    assert client.post("/cds-services/nope", json={}).status_code == 404
    m = samples(client)
    svc = "eczema-order-sign" if body["hook"] == "order-sign" else "eczema-order-select"
    assert value(m, "cds_hook_requests_total", service=svc, status="412") == 1
    assert value(m, "cds_fhir_requests_total", service=svc, outcome="connection_error") >= 1
    assert value(m, "cds_hook_requests_total", service="unknown", status="404") == 1


def test_metrics_hold_no_request_values(client: FlaskClient) -> None:
    body = load_fixture(IN_FIXTURE)
    body["hookInstance"] = "planted-hook-instance-7f3a"
    post_hook(client, body)
    text = client.get("/metrics").get_data(as_text=True)
    assert "planted-hook-instance-7f3a" not in text
    assert body["prefetch"]["patient"]["birthDate"] not in text
