"""Over HTTP: gunicorn on loopback, cold start, a closed-loop load test, worker memory."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import charts

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class HttpResult:
    """Cold start, latency percentiles (seconds), throughput, worker memory (KiB)."""

    cold_start: float
    requests: int
    seconds: float
    median: float
    p99: float
    rps: float
    errors: int
    rss_kib: list[int]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def post(port: int, path: str, raw: bytes, timeout: float = 10.0) -> int:
    """One POST on a new connection (gunicorn's sync workers close after each answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=raw, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _client(port: int, path: str, raw: bytes, until: float, out: multiprocessing.Queue) -> None:
    latencies: list[float] = []
    errors = 0
    while time.perf_counter() < until:
        t = time.perf_counter()
        try:
            ok = post(port, path, raw) == 200
        except OSError:
            ok = False
        latencies.append(time.perf_counter() - t)
        errors += not ok
    out.put((latencies, errors))


def worker_rss(master: int) -> list[int]:
    """VmRSS in KiB of each child of the gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]))
    return sizes


def run(
    size: int, hook: str, service: str, clients: int, seconds: float, workers: int = 2
) -> HttpResult:
    """Start gunicorn as `make serve` does, time the first answer, then load it."""
    port = free_port()
    raw = charts.encode(charts.chart(size, hook))
    path = f"/cds-services/{service}"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            CDS_BIND_HOST="127.0.0.1",
            CDS_AUTH_MODE="off",
            CDS_DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
            CDS_LOG_LEVEL="WARNING",
        )
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
        command += ["--bind", f"127.0.0.1:{port}", "cds_service:create_app()"]
        started = time.perf_counter()
        server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            cold = _first_answer(port, path, raw, started, server)
            for _ in range(20):  # warm both workers
                post(port, path, raw)
            queue: multiprocessing.Queue = multiprocessing.Queue()
            until = time.perf_counter() + seconds
            procs = [
                multiprocessing.Process(target=_client, args=(port, path, raw, until, queue))
                for _ in range(clients)
            ]
            t0 = time.perf_counter()
            for p in procs:
                p.start()
            results = [queue.get() for _ in procs]
            elapsed = time.perf_counter() - t0
            for p in procs:
                p.join()
            rss = worker_rss(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    latencies = sorted(x for lat, _ in results for x in lat)
    return HttpResult(
        cold_start=cold,
        requests=len(latencies),
        seconds=elapsed,
        median=statistics.median(latencies),
        p99=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        rps=len(latencies) / elapsed,
        errors=sum(e for _, e in results),
        rss_kib=rss,
    )


def _first_answer(
    port: int, path: str, raw: bytes, started: float, server: subprocess.Popen[bytes]
) -> float:
    """Seconds from starting the process to the first 200 answer to a hook call."""
    deadline = started + 60
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            if post(port, path, raw, timeout=5) == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.005)
    raise RuntimeError("gunicorn did not answer within 60 s")
