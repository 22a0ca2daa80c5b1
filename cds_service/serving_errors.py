"""gunicorn's own error answers and log lines, quoting nothing of the request (`serving.py`)."""

from __future__ import annotations

import json
import socket

from gunicorn import util

_CODES = {403: "forbidden", 431: "too-long", 500: "exception", 501: "not-supported"}


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answers (400 bad request line, 431, 500 before the app) as the
    JSON OperationOutcome every other error is. ``mesg`` is not sent: it quotes the request."""
    body = json.dumps(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": _CODES.get(status_int, "invalid"),
                    "diagnostics": reason,
                }
            ],
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


# gunicorn has no hook for these answers; its workers call util.write_error, so it is replaced
# in the processes that load this worker class (the server as `make serve` and the image run it).
util.write_error = write_json_error


def quiet(exc: BaseException) -> BaseException:
    """``exc`` as an error of the same kind whose text is only that kind's name: gunicorn logs
    ``str(exc)``, and a refused request line, method or header name is quoted in it."""
    kind = type(exc)
    quiet_kind = _QUIET.get(kind)
    if quiet_kind is None:
        quiet_kind = _QUIET[kind] = type(kind.__name__, (kind,), {"__str__": _name})
    copy = quiet_kind.__new__(quiet_kind)
    copy.__dict__.update(vars(exc))
    copy.args = exc.args
    return copy


def _name(exc: BaseException) -> str:
    return type(exc).__name__


_QUIET: dict[type[BaseException], type[BaseException]] = {}  # one subclass per kind
