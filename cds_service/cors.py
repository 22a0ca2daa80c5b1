"""CORS for browser CDS clients (e.g. the CDS Hooks Sandbox): an exact-origin allow-list."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, request

log = logging.getLogger(__name__)
MAX_LOGGED_ORIGINS = 64  # each refused origin is logged once per process, up to this many

ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type"
PREFLIGHT_MAX_AGE = "600"


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case; raise ValueError for anything else (incl. ``*``)."""
    parts = urlsplit(origin.strip().rstrip("/"))
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ValueError(f"CORS origin must look like https://host[:port], got {origin!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def init_cors(app: Flask, origins: Iterable[str], path_prefix: str = "/cds-services") -> None:
    """Answer preflights under ``path_prefix`` without auth; allow only the listed origins."""
    allowed = frozenset(normalize_origin(o) for o in origins)
    refused: set[str] = set()

    def in_scope(path: str) -> bool:
        return path == path_prefix or path.startswith(path_prefix + "/")

    @app.before_request
    def _preflight() -> Response | None:
        # Browsers never send credentials on a preflight, so it must not need a token.
        if request.method == "OPTIONS" and in_scope(request.path):
            response = app.make_response(("", 204))
            del response.headers["Content-Type"]  # no content: Flask's text/html default says none
            # Allow names the methods of this route (RFC 9110), not every method CORS permits.
            rule = request.url_rule
            methods = sorted(rule.methods or ()) if rule is not None else []
            response.headers["Allow"] = ", ".join(methods) or ALLOW_METHODS
            return response
        return None

    @app.after_request
    def _cors_headers(response: Response) -> Response:
        req = request._get_current_object()  # type: ignore[attr-defined]  # ~1 us a proxy use
        if not in_scope(req.path):
            return response
        # As `response.vary.add("Origin")` and `req.headers.get("Origin")`, without the
        # KeyError (a werkzeug exception, ~3 us) each raises when the header is absent.
        if response.headers.getlist("Vary"):
            response.vary.add("Origin")
        else:
            response.headers["Vary"] = "Origin"
        origin = req.environ.get("HTTP_ORIGIN")
        if origin is None or origin not in allowed:
            if origin is not None and origin not in refused and len(refused) < MAX_LOGGED_ORIGINS:
                # A browser client blocked here only shows "no recommendations": say why.
                refused.add(origin)
                log.warning(
                    "CORS: origin %r is not in CDS_CORS_ORIGINS; browser calls from it are blocked",
                    origin[:200],
                )
            return response
        # No Access-Control-Allow-Credentials: callers authenticate with a bearer token.
        response.headers["Access-Control-Allow-Origin"] = origin
        if req.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response
