"""Flask wiring: every non-OPTIONS request under /cds-services must carry a verified EHR JWT."""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Mapping

from flask import Flask, g, request
from sqlalchemy import Engine

from cds_service.auth.issuers import Issuer, load_issuers
from cds_service.auth.jwks import DEFAULT_TIMEOUT_SECONDS, HttpSession, JwksCache
from cds_service.auth.replay import ReplayStore
from cds_service.auth.verifier import Authenticator, AuthError
from cds_service.errors import BadRequest, ServiceUnavailable, Unauthorized, UnsupportedMediaType
from cds_service.ops import tracing
from cds_service.settings import Settings

log = logging.getLogger(__name__)

PROTECTED_PREFIX = "/cds-services"
AUTH_MODES = ("jwt", "off")
# The body never says which check failed: that would help an attacker tune a forgery.
GENERIC_MESSAGE = "Authentication failed"


class AuthConfigError(ValueError):
    """The auth settings are inconsistent; the service refuses to start."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP addresses (127.0.0.0/8, ::1)."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def init_auth(
    app: Flask,
    settings: Settings,
    engine: Engine,
    *,
    session: HttpSession | None = None,
    clock: Callable[[], float] | None = None,
) -> Authenticator | None:
    """Install the auth check for ``settings.auth_mode``; raise AuthConfigError when unsafe."""
    mode = settings.auth_mode.strip().lower()
    if mode not in AUTH_MODES:
        raise AuthConfigError(f"CDS_AUTH_MODE must be one of {AUTH_MODES}, got {mode!r}")
    if mode == "off":
        _install_off(app, settings)
        return None
    if not settings.trusted_issuers:
        raise AuthConfigError(
            "CDS_AUTH_MODE=jwt needs CDS_TRUSTED_ISSUERS (see config/trusted-issuers.example.toml)"
        )
    issuers = load_issuers(settings.trusted_issuers)
    _warn_unsafe(settings, issuers)
    replay = ReplayStore(engine)  # its table comes with the migrations (cds_service.migrate)
    # No caller waits on a key host for longer than a hook call may take in all.
    timeout = min(DEFAULT_TIMEOUT_SECONDS, settings.hook_deadline_seconds)
    http_jku = frozenset(u for i in issuers.values() if i.allow_http_jku for u in i.jku)
    keys = JwksCache(session, timeout=timeout, clock=clock or time.monotonic, http_allowed=http_jku)
    authenticator = Authenticator(
        issuers, keys, replay, public_base_url=settings.public_base_url, clock=clock or time.time
    )
    _install_jwt(app, authenticator, settings.public_base_url.rstrip("/"))
    app.extensions["cds_auth"] = authenticator
    log.info("authentication: jwt, %d trusted issuer(s)", len(issuers))
    return authenticator


def _install_jwt(app: Flask, authenticator: Authenticator, base: str) -> None:
    """Check the JWT of every request under /cds-services (``base``: the public base URL)."""

    @app.before_request
    def _authenticate() -> None:
        if request.method == "OPTIONS" or not _protected(request.path):
            return
        try:
            with tracing.span("cds.auth"):
                caller = authenticator.authenticate(
                    request.headers.get("Authorization"), base + request.path
                )
        except AuthError as exc:
            if exc.check == "replay_store_unavailable":
                # A validly signed token the database could not record: our fault, not the
                # caller's credentials. 503 tells the EHR to retry, not to re-authenticate.
                raise ServiceUnavailable("Service temporarily unavailable") from None
            raise Unauthorized(GENERIC_MESSAGE) from None
        g.caller = caller
        log.info(
            "caller authenticated",
            extra={"iss": caller.iss, "jti": caller.jti, "tenant": caller.tenant},
        )


def _warn_unsafe(settings: Settings, issuers: Mapping[str, Issuer]) -> None:
    for issuer in issuers.values():
        if issuer.test_only:
            log.warning(
                "trusted issuer %s is TEST ONLY: its private key is public, so anyone can "
                "mint tokens it accepts; remove it from production configuration",
                issuer.iss,
            )
    if not settings.public_base_url.startswith("https://") and not is_loopback(settings.bind_host):
        log.warning("CDS_PUBLIC_BASE_URL is not https; CDS Hooks requires TLS for every call")


def _install_off(app: Flask, settings: Settings) -> None:
    if not is_loopback(settings.bind_host):
        raise AuthConfigError(
            f"CDS_AUTH_MODE=off is refused: CDS_BIND_HOST={settings.bind_host!r} is not a "
            "loopback address. Use CDS_AUTH_MODE=jwt with CDS_TRUSTED_ISSUERS."
        )
    log.warning(
        "AUTHENTICATION IS OFF (CDS_AUTH_MODE=off): any local process can call this service "
        "without a token. For local development only."
    )

    allowed_hosts = {h.strip().strip("[]").lower() for h in settings.allowed_hosts}

    @app.before_request
    def _loopback_only() -> None:
        # One look-up of the request behind flask's proxy: each proxied attribute costs ~1 us.
        req = request._get_current_object()  # type: ignore[attr-defined]
        # A web page the developer visits can reach loopback too: by DNS rebinding (a Host
        # that is not ours) or a cross-site "simple" POST (text/plain needs no preflight).
        if _host_name(req.host) not in allowed_hosts:
            log.warning("auth off: refused a request for a host not in CDS_ALLOWED_HOSTS")
            raise BadRequest("Host not allowed")
        # Routes that take POST only: elsewhere the answer stays 404 or 405.
        method = req.method
        posted = method == "POST" and req.url_rule is not None
        if posted and req.mimetype != "application/json":
            raise UnsupportedMediaType("Content-Type must be application/json")
        # Belt and braces: CDS_BIND_HOST is a claim about the listener; the peer address is fact.
        if method == "OPTIONS" or not _protected(req.path):
            return
        peer = req.remote_addr or ""
        if peer not in _LOOPBACK_PEERS and not is_loopback(peer):
            log.warning("auth off: refused a call from a non-loopback peer")
            raise Unauthorized(GENERIC_MESSAGE)


_LOOPBACK_PEERS = frozenset({"127.0.0.1", "::1"})  # the usual peers, known without parsing


def _host_name(host: str) -> str:
    """The name in a Host header, without port or IPv6 brackets, lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _protected(path: str) -> bool:
    return path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")
