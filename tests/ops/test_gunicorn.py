"""Under gunicorn (as `make serve` runs it): JSON log lines and /metrics summed over workers."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.conftest import FIXTURES
from tests.reliability.gunicorn_server import gunicorn_server

FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
POSTS = 6


def test_gunicorn_logs_json_and_sums_metrics_over_workers(tmp_path: Path) -> None:
    with gunicorn_server(tmp_path) as (base, log_path):
        body = FIXTURE.read_bytes()
        headers = {"Content-Type": "application/json"}
        for _ in range(POSTS):
            url = f"{base}/cds-services/eczema-order-sign"
            assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200
        metrics = requests.get(f"{base}/metrics", timeout=10).text
    line = 'cds_hook_requests_total{service="eczema-order-sign",status="200"}'
    assert f"{line} {float(POSTS)}" in metrics
    lines = [x for x in log_path.read_text().splitlines() if x.strip()]
    entries = [json.loads(x) for x in lines]  # every line is one JSON object
    loggers = {e["logger"] for e in entries}
    assert {"gunicorn.error", "gunicorn.access", "cds_service.hooks"} <= loggers
    answered = [e for e in entries if e["message"] == "hook answered"]
    assert len(answered) == POSTS and all(e["hookInstance"] for e in answered)
