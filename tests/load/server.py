"""The load test's gunicorn: its database migrated first (as the container does), then started
on 127.0.0.1 with auth off; and what the test reads of it (readiness, worker processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def start_gunicorn(port: int, workers: int, database_url: str) -> subprocess.Popen[bytes]:
    """`db upgrade` (only SQLite would be migrated by the app itself), then gunicorn."""
    env = {
        **os.environ,
        "CDS_DATABASE_URL": database_url,
        "CDS_BIND_HOST": "127.0.0.1",
        "CDS_AUTH_MODE": "off",
        "CDS_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    upgrade = [sys.executable, "-m", "cds_service", "db", "upgrade"]
    if subprocess.run(upgrade, cwd=ROOT, env=env, check=False).returncode != 0:
        raise RuntimeError("db upgrade failed")
    command = [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen(
        [*command, "cds_service:create_app()"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def worker_pids(master: int) -> list[int]:
    """Child processes of the gunicorn master (from /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def wait_ready(base: str, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if requests.get(base + "/readyz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False
