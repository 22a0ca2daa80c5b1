"""gunicorn worker that keeps slow clients off the request threads (`gunicorn.conf.py`).

gunicorn's ``gthread`` worker hands a connection to a thread as soon as its first byte arrives;
the thread then blocks reading headers and body. A client sending a byte a second holds that
thread until gunicorn's worker timeout, and a few dozen such clients hold them all.

This worker waits in its event loop, without a thread, until the request's headers and the
start of its body (``READY_BYTES``, or the whole body when smaller) are in the kernel's
receive buffer, looked at with ``MSG_PEEK``; a client that sent ``Expect: 100-continue`` is
told "100 Continue" from the event loop and its body waited for the same way. A connection
that has not got that far within ``read_timeout`` seconds of being accepted is closed (and at
gunicorn's worker_connections, those waiting longest make room for new ones). Once
on a thread, the rest of a large body must arrive within the same deadline: reads past it see
end of file, so the app answers 400 and the connection closes. Sockets get a write timeout, so
a client that never reads its answer cannot hold a thread either.
"""

from __future__ import annotations

import errno
import os
import re
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

from cds_service.serving_errors import quiet

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
READY_BYTES = 65_536  # of body: beyond it a thread reads the rest, within the same deadline
_HEADER_LIMIT = 65_536  # headers not complete within this many bytes: the parser answers 431
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r\n", re.I)
_EXPECT_CONTINUE = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*\r\n", re.I)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.I)
_LAST_CHUNK = re.compile(rb"(?:^|\r\n)0+(?:;[^\r\n]*)?\r\n\r\n")
_PEEK = _HEADER_LIMIT + READY_BYTES


def read_timeout() -> float:
    """Seconds a client has to send a whole request (`CDS_REQUEST_READ_TIMEOUT_SECONDS`)."""
    return float(os.environ.get("CDS_REQUEST_READ_TIMEOUT_SECONDS", "10"))


def request_ready(buffered: bytes) -> bool:
    """True when ``buffered`` (the start of a request) is enough to give the request a thread."""
    end = buffered.find(b"\r\n\r\n")
    if end < 0:
        return len(buffered) >= _HEADER_LIMIT  # too long to wait for: let the parser refuse it
    body_start = end + 4
    # "Expect: 100-continue" waits like any other: the event loop answers "100 Continue"
    # (`SlowClientSafeWorker._arrived`), so a client that never sends its body holds no thread.
    if _CHUNKED.search(buffered, 0, body_start):
        # A chunked body waits like any other: for its last chunk, or READY_BYTES of it (a
        # trailer after the last chunk waits for the read deadline; clients rarely send one).
        body = buffered[body_start:]
        return len(body) >= READY_BYTES or _LAST_CHUNK.search(body) is not None
    match = _CONTENT_LENGTH.search(buffered, 0, body_start)
    length = int(match.group(1)) if match else 0
    return len(buffered) - body_start >= min(length, READY_BYTES)


def awaits_continue(buffered: bytes) -> bool:
    """True when the headers are in and ask for "100 Continue" before the body is sent."""
    end = buffered.find(b"\r\n\r\n")
    return end >= 0 and _EXPECT_CONTINUE.search(buffered, 0, end + 4) is not None


class _DeadlineSocket:
    """The parser's view of a client socket: every read ends by one deadline (then EOF)."""

    def __init__(self, sock: socket.socket, deadline: float, write_timeout: float) -> None:
        self._sock = sock
        self.deadline = deadline
        self._write_timeout = write_timeout

    def recv(self, size: int) -> bytes:
        left = self.deadline - time.monotonic()
        if left <= 0:
            return b""
        self._sock.settimeout(left)
        try:
            return self._sock.recv(size)
        except TimeoutError:
            return b""
        finally:
            self._sock.settimeout(self._write_timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class SlowClientSafeWorker(ThreadWorker):
    """``gthread`` with a thread only for requests that have arrived (see the module doc)."""

    def init_process(self) -> None:
        self._read_timeout = read_timeout()
        self._pending: dict[TConn, float] = {}  # waiting for their request, and until when
        super().init_process()

    def accept(self, server: Any, listener: socket.socket) -> None:
        """gthread's, with the read deadline counted from here: a connection that never sends
        a byte is closed by it too. (It had none: it counted against worker_connections for
        good, and at that many gthread's loop stops looking at sockets, so the worker answered
        nothing again, even once such clients had gone.)"""
        try:
            sock, client = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = TConn(self.cfg, sock, client, server)
        self.nr_conns += 1
        self._pending[conn] = time.monotonic() + self._read_timeout
        with self._lock:
            self.poller.register(
                conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn)
            )

    def enqueue_req(self, conn: TConn) -> None:
        deadline = self._pending.get(conn)
        if deadline is None:
            deadline = time.monotonic() + self._read_timeout
        if not self._arrived(conn):
            if time.monotonic() >= deadline:
                self._drop(conn)
                return
            self._pending[conn] = deadline
            with self._lock:
                self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
            return
        self._pending.pop(conn, None)
        conn.init()
        reader = conn.parser.unreader
        sock = reader.sock._sock if isinstance(reader.sock, _DeadlineSocket) else reader.sock
        # The deadline counts from accept, so time spent waiting here counts too.
        reader.sock = _DeadlineSocket(sock, deadline, self._read_timeout)
        self._wrap_future(self.tpool.submit(self.handle, conn), conn)

    def _readable(self, conn: TConn, _sock: object) -> None:
        with self._lock:
            self.poller.unregister(conn.sock)
        self.enqueue_req(conn)

    def _arrived(self, conn: TConn) -> bool:
        try:
            buffered = conn.sock.recv(_PEEK, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return True  # let the parser meet the error on a thread, as gthread does
        # b"": the client closed; the parser sees end of file at once.
        if not buffered or request_ready(buffered):
            return True
        if awaits_continue(buffered) and not getattr(conn, "continue_sent", False):
            try:  # 25 bytes on a socket that has sent nothing yet: never a partial send
                conn.sock.send(_CONTINUE, socket.MSG_DONTWAIT)
                conn.continue_sent = True
            except OSError:
                pass  # most clients send the body after a second anyway; else the deadline
        return False

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """gunicorn's, but its warning names the kind of error only: its text quotes the request
        line or a header (a query string, a token), which the access log leaves out."""
        super().handle_error(req, client, addr, quiet(exc))

    def handle_request(self, req: Any, conn: TConn) -> Any:
        """gunicorn's, minus its own "100 Continue" when the event loop has sent one."""
        if getattr(conn, "continue_sent", False):
            conn.continue_sent = False  # a keep-alive connection's next request may ask again
            req.headers = [(name, value) for name, value in req.headers if name != "EXPECT"]
        return super().handle_request(req, conn)

    def _drop(self, conn: TConn) -> None:
        self._pending.pop(conn, None)
        self.nr_conns -= 1
        conn.close()
        self.log.info("closed a connection whose request did not arrive in time")

    def murder_keepalived(self) -> None:
        super().murder_keepalived()
        for conn in self._to_close():
            with self._lock:
                try:
                    self.poller.unregister(conn.sock)
                except (KeyError, ValueError, OSError) as exc:
                    if isinstance(exc, OSError) and exc.errno != errno.EBADF:
                        raise
            self._drop(conn)

    def _to_close(self) -> list[TConn]:
        """Connections past their read deadline; and near worker_connections, at which gthread
        stops looking at sockets (running this once a second), the ones that have waited
        longest, enough to make room for a tenth more."""
        now = time.monotonic()
        late = [c for c, deadline in self._pending.items() if deadline <= now]
        over = self.nr_conns - len(late) - self.worker_connections * 9 // 10
        if over >= 0:
            gone = set(late)
            waiting = [c for c in self._pending if c not in gone]
            late += sorted(waiting, key=self._pending.__getitem__)[: over + 1]
        return late
