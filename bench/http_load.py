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
    client_cpu: float  # CPU seconds the load clients used per second of the run (of 2 cores)


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


def request_bytes(port: int, path: str, raw: bytes) -> bytes:
    """One complete HTTP/1.1 POST, built once so the load clients only send and read."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(raw)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + raw


def post_raw(port: int, message: bytes) -> int:
    """Send a prebuilt request on a new connection, read to the server's close; the status."""
    with socket.create_connection(("127.0.0.1", port), timeout=10.0) as sock:
        sock.sendall(message)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.") else 0


def _client(port: int, messages: list[bytes], until: float, out: multiprocessing.Queue) -> None:
    """A closed loop as light as Python allows: the client shares the 2 cores with the server.
    It cycles through distinct charts, so the service's per-request caches start cold."""
    latencies: list[float] = []
    errors = 0
    cpu = time.process_time()
    i = 0
    while time.perf_counter() < until:
        message = messages[i % len(messages)]
        i += 1
        t = time.perf_counter()
        try:
            ok = post_raw(port, message) == 200
        except OSError:
            ok = False
        latencies.append(time.perf_counter() - t)
        errors += not ok
    out.put((latencies, errors, time.process_time() - cpu))


def worker_rss(master: int) -> list[int]:
    """VmRSS in KiB of each child of the gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]))
    return sizes


SERVICE_APP = "cds_service:create_app()"
FLOOR_APP = "bench.floor:create_floor_app()"


def run(
    size: int,
    hook: str,
    service: str,
    clients: int,
    seconds: float,
    workers: int = 2,
    app: str = SERVICE_APP,
) -> HttpResult:
    """Start gunicorn with `app` as `make serve` does, time the first answer, then load it."""
    port = free_port()
    raw = charts.encode(charts.chart(size, hook))
    path = f"/cds-services/{service}"
    messages = [
        request_bytes(port, path, charts.encode(charts.chart(size, hook, seed=s)))
        for s in range(2, 34)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            CDS_BIND_HOST="127.0.0.1",
            CDS_AUTH_MODE="off",
            CDS_DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
            CDS_LOG_LEVEL="WARNING",
        )
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
        command += ["--bind", f"127.0.0.1:{port}", app]
        started = time.perf_counter()
        server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            cold = _first_answer(port, path, raw, started, server)
            for _ in range(20):  # warm both workers
                post(port, path, raw)
            results, elapsed = _load(port, messages, clients, seconds)
            rss = worker_rss(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    latencies = sorted(x for lat, _, _ in results for x in lat)
    return HttpResult(
        cold_start=cold,
        requests=len(latencies),
        seconds=elapsed,
        median=statistics.median(latencies),
        p99=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        rps=len(latencies) / elapsed,
        errors=sum(e for _, e, _ in results),
        rss_kib=rss,
        client_cpu=sum(c for _, _, c in results) / elapsed,
    )


def _load(
    port: int, messages: list[bytes], clients: int, seconds: float
) -> tuple[list[tuple[list[float], int, float]], float]:
    """`clients` processes in closed loops for `seconds`: their results and the time taken."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    until = time.perf_counter() + seconds
    procs = [
        multiprocessing.Process(target=_client, args=(port, messages, until, queue))
        for _ in range(clients)
    ]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    return results, elapsed


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
