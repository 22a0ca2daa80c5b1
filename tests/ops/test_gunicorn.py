"""Under gunicorn (as `make serve` runs it): JSON log lines and /metrics summed over workers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import FIXTURES, ROOT

FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
POSTS = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_logs_json_and_sums_metrics_over_workers(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}",
        "CDS_BIND_HOST": "127.0.0.1",
        "CDS_AUTH_MODE": "off",
        "CDS_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
        "PYTHONPATH": str(ROOT),
    }
    (tmp_path / "prom").mkdir()
    err = (tmp_path / "stderr").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        + ["--bind", f"127.0.0.1:{port}", "cds_service:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=err,
    )
    try:
        deadline = time.monotonic() + 60  # generous: start-up on a loaded CI machine
        while True:
            try:
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, (tmp_path / "stderr").read_text()
            assert time.monotonic() < deadline, "gunicorn did not become ready"
            time.sleep(0.2)
        body = FIXTURE.read_bytes()
        headers = {"Content-Type": "application/json"}
        for _ in range(POSTS):
            url = f"{base}/cds-services/eczema-order-sign"
            assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200
        metrics = requests.get(f"{base}/metrics", timeout=10).text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        err.close()
    line = 'cds_hook_requests_total{service="eczema-order-sign",status="200"}'
    assert f"{line} {float(POSTS)}" in metrics
    lines = [x for x in (tmp_path / "stderr").read_text().splitlines() if x.strip()]
    entries = [json.loads(x) for x in lines]  # every line is one JSON object
    loggers = {e["logger"] for e in entries}
    assert {"gunicorn.error", "gunicorn.access", "cds_service.hooks"} <= loggers
    answered = [e for e in entries if e["message"] == "hook answered"]
    assert len(answered) == POSTS and all(e["hookInstance"] for e in answered)
