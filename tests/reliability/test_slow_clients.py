"""Slowloris against the real server (gunicorn with gunicorn.conf.py, as `make serve` runs it):
20 connections dripping their headers and 20 dripping their body, a byte a second, while
ordinary hook calls must still be answered as usual. Loopback only; about 30 s."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from pathlib import Path

import requests

from cds_service.serving import READY_BYTES, awaits_continue, request_ready
from tests.conftest import FIXTURES
from tests.reliability.gunicorn_server import gunicorn_server

FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"
SLOW = 20  # of each kind
READ_TIMEOUT = 12  # CDS_REQUEST_READ_TIMEOUT_SECONDS for this server
CALLS = 10
IDLE = 150  # connections that never send a byte


def _open(port: int, first: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(first)
    return sock


def _drip(socks: list[socket.socket], stop: threading.Event) -> None:
    """One byte a second on every socket, for at most READ_TIMEOUT + 10 s."""
    for _ in range(READ_TIMEOUT + 10):
        if stop.wait(1.0):
            return
        for sock in socks:
            try:
                sock.send(b"x")
            except OSError:
                pass  # closed by the server: what should happen at the deadline


def _let_go(socks: list[socket.socket], wait: float) -> int:
    """How many sockets the server answered or closed (readable: a 400 or end of file)."""
    readable, _, _ = select.select(socks, [], [], wait)
    return len(readable)


def _call(base: str, body: bytes) -> tuple[int, float]:
    started = time.monotonic()
    response = requests.post(
        f"{base}/cds-services/eczema-order-sign",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=20,
    )
    return response.status_code, time.monotonic() - started


def test_slow_headers_and_bodies_do_not_hold_the_workers(tmp_path: Path) -> None:
    body = FIXTURE.read_bytes()
    env = {"CDS_REQUEST_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT)}
    with gunicorn_server(tmp_path, **env) as (base, _log):
        port = int(base.rsplit(":", 1)[1])
        usual = max(_call(base, body)[1] for _ in range(3))
        request = b"POST /cds-services/eczema-order-sign HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        slow_headers = [_open(port, request + b"X-Slow: ") for _ in range(SLOW)]
        slow_bodies = [
            _open(
                port, request + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            )
            for _ in range(SLOW)
        ]
        socks = slow_headers + slow_bodies
        stop = threading.Event()
        dripper = threading.Thread(target=_drip, args=(socks, stop), daemon=True)
        dripper.start()
        try:
            time.sleep(1.5)  # every slow connection has been accepted and is dripping
            results = [_call(base, body) for _ in range(CALLS)]
            # A body larger than the part waited for in the event loop is read on a thread.
            big = json.loads(body) | {"extension": {"padding": "x" * 300_000}}
            assert _call(base, json.dumps(big).encode())[0] == 200
            # All slow clients were still connected while the calls were answered...
            assert _let_go(socks, 0) == 0
            assert [status for status, _ in results] == [200] * CALLS
            # ...and each call took its usual time (generous bound: a busy 2-core machine).
            slowest = max(seconds for _, seconds in results)
            assert slowest < max(2.0, 5 * usual), (slowest, usual)
            # Past the read deadline the server has let every one of them go.
            time.sleep(READ_TIMEOUT + 1)
            assert _let_go(socks, 2) == len(socks)
        finally:
            stop.set()
            dripper.join(timeout=5)
            for sock in socks:
                sock.close()


def test_clients_that_expect_100_continue_and_never_send_the_body_hold_no_thread(
    tmp_path: Path,
) -> None:
    """Before: a request with "Expect: 100-continue" got a thread as soon as its headers were in,
    and the thread waited for the body until the read deadline. Eight such connections held all
    four threads (2 workers x 2), so an ordinary call waited ~READ_TIMEOUT s for one."""
    body = FIXTURE.read_bytes()
    env = {"CDS_REQUEST_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT), "CDS_THREADS": "2"}
    with gunicorn_server(tmp_path, **env) as (base, _log):
        port = int(base.rsplit(":", 1)[1])
        usual = max(_call(base, body)[1] for _ in range(3))
        head = (
            b"POST /cds-services/eczema-order-sign HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n"
            b"Expect: 100-continue\r\n\r\n" % len(body)
        )
        socks = [_open(port, head) for _ in range(8)]
        try:
            time.sleep(1.5)  # every one has been accepted and is waiting
            results = [_call(base, body) for _ in range(CALLS)]
            assert [status for status, _ in results] == [200] * CALLS
            slowest = max(seconds for _, seconds in results)
            assert slowest < max(2.0, 5 * usual), (slowest, usual)
            # Each was told to go on, and a client that does gets its answer, told once.
            for sock in socks:
                assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
            socks[0].sendall(body)
            answer = _read_answer(socks[0])
            assert answer.startswith(b"HTTP/1.1 200 "), answer[:100]
            assert b"100 Continue" not in answer
            # Past the read deadline the server has let the silent ones go.
            time.sleep(READ_TIMEOUT + 1)
            assert _let_go(socks[1:], 2) == len(socks) - 1
        finally:
            for sock in socks:
                sock.close()


def test_connections_that_send_nothing_cannot_take_the_service_down(tmp_path: Path) -> None:
    """Before: a connection that never sent a byte had no deadline and counted against gunicorn's
    worker_connections for good; at that many, gthread's event loop stops looking at any socket,
    so the service answered nothing, even after the idle clients had gone. Now such connections
    are closed at the read deadline, and at capacity the longest-waiting ones make room."""
    body = FIXTURE.read_bytes()
    env = {
        "CDS_REQUEST_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT),
        "GUNICORN_CMD_ARGS": f"--worker-connections {IDLE // 3}",  # 2 workers: IDLE is past both
    }
    with gunicorn_server(tmp_path, **env) as (base, _log):
        port = int(base.rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(IDLE)]
        try:
            time.sleep(1.5)  # every one accepted (or waiting in the listen backlog)
            # Answered long before the idle ones' read deadline (generous: a loaded machine).
            results = [_call(base, body) for _ in range(CALLS)]
            assert [status for status, _ in results] == [200] * CALLS
            assert max(seconds for _, seconds in results) < READ_TIMEOUT / 2
        finally:
            for sock in idle:
                sock.close()
        assert _call(base, body)[0] == 200  # and once they have gone


def _read_answer(sock: socket.socket) -> bytes:
    """One whole HTTP answer (its Content-Length read from the head)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(rest) < length:
        rest += sock.recv(65536)
    return head + b"\r\n\r\n" + rest


def test_a_request_gets_a_thread_once_its_headers_and_body_start_have_arrived() -> None:
    head = b"POST /x HTTP/1.1\r\nHost: a\r\n"
    assert not request_ready(head)
    assert request_ready(head + b"\r\n")  # no body
    assert not request_ready(head + b"Content-Length: 10\r\n\r\n12345")
    assert request_ready(head + b"content-length : 10\r\n\r\n1234567890")
    big = head + b"Content-Length: 9000000\r\n\r\n"
    assert not request_ready(big + b"x" * 1000)
    assert request_ready(big + b"x" * READY_BYTES)  # the rest is read on a thread, by a deadline
    # "Expect: 100-continue" is answered from the event loop; the body is then waited for.
    expect = head + b"Expect: 100-continue\r\nContent-Length: 10\r\n\r\n"
    assert not request_ready(expect) and awaits_continue(expect)
    assert request_ready(expect + b"1234567890")
    assert not awaits_continue(head + b"Expect: 100-continue\r\n")  # headers not complete
    assert not awaits_continue(head + b"Content-Length: 10\r\n\r\n")
    assert request_ready(head + b"X: " + b"a" * 70_000)  # headers too long: the parser says 431


def test_a_chunked_request_gets_a_thread_only_once_its_last_chunk_has_arrived() -> None:
    head = b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert not request_ready(head)  # a slow chunked body used to take a thread here
    assert not request_ready(head + b"5\r\nhello\r\n")
    assert request_ready(head + b"5\r\nhello\r\n0\r\n\r\n")
    assert request_ready(head + b"0\r\n\r\n")  # an empty body
    assert request_ready(head + b"10000\r\n" + b"x" * READY_BYTES)  # the rest on a thread
