"""Start the service under gunicorn exactly as `make serve` and the container do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn_server(tmp_path: Path, **env_overrides: str) -> Iterator[tuple[str, Path]]:
    """(base URL, stderr log path) of a gunicorn server on a free loopback port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (tmp_path / "prom").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}",
        "CDS_BIND_HOST": "127.0.0.1",
        "CDS_AUTH_MODE": "off",
        "CDS_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
        "PYTHONPATH": str(ROOT),
        **env_overrides,
    }
    log_path = tmp_path / "stderr"
    with log_path.open("w") as err:
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
                assert proc.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not become ready"
                time.sleep(0.2)
            yield base, log_path
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
