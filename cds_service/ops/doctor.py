"""`cds-service doctor`: would a client calling URL from page ORIGIN get through, and if not, why.

A misconfigured client sees only "no recommendations": a 401 for a token whose `aud` names
another base URL (localhost vs 127.0.0.1), a CORS preflight refused for a page origin not on
the list. The doctor asks the running server for discovery and the preflight, and reads this
environment's settings (run it with the server's CDS_* variables) for the audience check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from cds_service.auth.issuers import load_issuers
from cds_service.cors import normalize_origin
from cds_service.settings import Settings

TIMEOUT = (2.0, 5.0)
SAMPLE_SERVICE = "eczema-order-sign"


@dataclass(frozen=True)
class Check:
    """One verdict: what was checked, whether it passes, and why in a sentence."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """'ok   discovery: ...' or 'FAIL cors: ...'."""
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def base_url(url: str) -> str:
    """scheme://host[:port][/path] without a trailing slash or /cds-services suffix."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"--url must look like http://host:port, got {url!r}")
    path = parts.path.rstrip("/").removesuffix("/cds-services")
    return f"{parts.scheme}://{parts.netloc.lower()}{path}"


def check_discovery(
    url: str, token: str | None = None, get: Callable[..., Any] = requests.get
) -> Check:
    """GET <url>/cds-services answers 200 with the service list (with the token, if given)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = get(f"{url}/cds-services", headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        return Check("discovery", False, f"cannot reach {url} ({type(exc).__name__}): is it up?")
    if response.status_code == 401 and not token:
        return Check("discovery", True, "the service answers; JWT mode: --token to try a token")
    if response.status_code != 200:
        return Check("discovery", False, f"{url}/cds-services answered {response.status_code}")
    try:
        ids = sorted(s["id"] for s in response.json()["services"])
    except (ValueError, KeyError, TypeError):
        return Check("discovery", False, f"{url}/cds-services is not a CDS Hooks discovery")
    return Check("discovery", True, f"{len(ids)} services: {', '.join(ids)}")


def check_cors(
    url: str, origin: str | None, options: Callable[..., Any] = requests.options
) -> Check:
    """The browser's preflight for a hook call from `origin` is allowed."""
    if not origin:
        return Check("cors", True, "no --origin given: a server-side client needs no CORS")
    origin = normalize_origin(origin)
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    try:
        response = options(f"{url}/cds-services/{SAMPLE_SERVICE}", headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        return Check("cors", False, f"preflight failed ({type(exc).__name__})")
    allowed = response.headers.get("Access-Control-Allow-Origin")
    if allowed == origin:
        return Check("cors", True, f"preflight from {origin} allowed")
    return Check(
        "cors",
        False,
        f"preflight from {origin} refused: add it to the server's CDS_CORS_ORIGINS "
        "(exact scheme://host:port of the page, e.g. the Sandbox's)",
    )


def check_audience(url: str, settings: Settings, token: str | None = None) -> Check:
    """A token the client mints for <url>/cds-services/... passes the service's `aud` check."""
    if settings.auth_mode == "off":
        return Check("aud", True, "CDS_AUTH_MODE=off: tokens are not checked (loopback only)")
    accepted = {base_url(settings.public_base_url)}
    if settings.trusted_issuers:
        for issuer in load_issuers(settings.trusted_issuers).values():
            accepted.update(base_url(a) for a in issuer.audiences)
    called = base_url(url)
    if token:
        claimed = jwt.decode(token, options={"verify_signature": False}).get("aud")
        auds = [claimed] if isinstance(claimed, str) else list(claimed or [])
        bases = {base_url(a.split("/cds-services")[0]) for a in auds if isinstance(a, str)}
        if not bases & accepted:
            return Check("aud", False, f"the token's aud {auds} is not under {sorted(accepted)}")
    if called in accepted:
        return Check("aud", True, f"{called} is an accepted audience base")
    return Check(
        "aud",
        False,
        f"clients calling {called} put aud={called}/cds-services/..., but the service accepts "
        f"{sorted(accepted)} (401, check=aud): set CDS_PUBLIC_BASE_URL={called} or list it in "
        "the issuer's audiences",
    )


def describe_token(token: str) -> Check:
    """What a client's token says about itself (header and claims; nothing is verified here),
    so its `iss`, `alg` and `jku` can be copied into the trusted-issuers file."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        return Check("token", False, f"not a JWT ({type(exc).__name__})")
    iat, exp = claims.get("iat"), claims.get("exp")
    life = f"{exp - iat} s" if isinstance(iat, int) and isinstance(exp, int) else "unknown"
    return Check(
        "token",
        True,
        f"iss={claims.get('iss')!r} alg={header.get('alg')!r} kid={header.get('kid')!r} "
        f"jku={header.get('jku')!r} lifetime={life}",
    )


def diagnose(url: str, origin: str | None, settings: Settings, token: str | None) -> list[Check]:
    """Every check, in the order a client meets them."""
    base = base_url(url)
    described = [describe_token(token)] if token else []
    return described + [
        check_discovery(base, token),
        check_cors(base, origin),
        check_audience(base, settings, token),
    ]
