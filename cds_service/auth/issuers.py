"""Trusted EHR issuers, loaded from a TOML or JSON file named by ``CDS_TRUSTED_ISSUERS``."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import jwt

# Asymmetric JWS algorithms only: the spec forbids `none` and every HMAC algorithm.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
)
# The spec RECOMMENDS these two; anything else must be listed in the issuer's entry.
DEFAULT_ALGORITHMS = ("ES384", "RS384")

_FIELDS = {
    "iss", "jku", "jwks", "jwks_file", "algorithms", "audiences", "tenant", "test_only",
    "allow_http_jku", "max_token_lifetime",
}  # fmt: skip
# A test client's longest token life (crd-request-generator's last a day); 0 < value <= this.
MAX_TEST_LIFETIME_SECONDS = 7 * 24 * 3600
# JWK members that only a private or symmetric key has; none belongs in a trust file.
_SECRET_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class IssuerConfigError(ValueError):
    """The trusted-issuers file is unreadable or wrong; the message names the file and field."""


@dataclass(frozen=True)
class Issuer:
    """One EHR we accept calls from, and how we check its tokens."""

    iss: str
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    jku: tuple[str, ...] = ()
    keys: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    audiences: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    test_only: bool = False
    # Test-only relaxations (refused on an issuer that is not test_only): an http:// jku, and
    # tokens living longer than the service-wide limit.
    allow_http_jku: bool = False
    max_token_lifetime: int | None = None


def load_issuers(path: str | Path) -> dict[str, Issuer]:
    """Read and validate a trusted-issuers file; keyed by ``iss``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IssuerConfigError(f"{path}: cannot read trusted issuers: {exc}") from exc
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise IssuerConfigError(f"{path}: not valid {_format(path)}: {exc}") from exc
    return parse_issuers(data, source=str(path), base_dir=path.parent)


def parse_issuers(
    data: Any, source: str = "<issuers>", base_dir: Path | None = None
) -> dict[str, Issuer]:
    """Validate already-parsed issuer data (``{"issuers": [...]}``); keyed by ``iss``."""
    if not isinstance(data, dict) or not isinstance(data.get("issuers"), list):
        raise IssuerConfigError(f"{source}: expected a top-level 'issuers' list")
    unknown_top = set(data) - {"issuers"}
    if unknown_top:
        raise IssuerConfigError(f"{source}: unknown top-level keys {sorted(unknown_top)}")
    issuers: dict[str, Issuer] = {}
    for index, entry in enumerate(data["issuers"]):
        where = f"{source}: issuers[{index}]"
        issuer = _parse_entry(entry, where, base_dir)
        if issuer.iss in issuers:
            raise IssuerConfigError(f"{where}: duplicate iss {issuer.iss!r}")
        issuers[issuer.iss] = issuer
    return issuers


def _parse_entry(entry: Any, where: str, base_dir: Path | None) -> Issuer:
    if not isinstance(entry, dict):
        raise IssuerConfigError(f"{where}: must be a table/object")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise IssuerConfigError(f"{where}: unknown keys {sorted(unknown)}")
    iss = entry.get("iss")
    if not isinstance(iss, str) or not iss.strip():
        raise IssuerConfigError(f"{where}: 'iss' must be a non-empty string")
    where = f"{where} ({iss})"

    algorithms = _strings(entry, "algorithms", where) or DEFAULT_ALGORITHMS
    bad = [a for a in algorithms if a not in ASYMMETRIC_ALGORITHMS]
    if bad:
        raise IssuerConfigError(
            f"{where}: algorithms {bad} not allowed; use asymmetric ones such as ES384, RS384"
        )
    test_only = entry.get("test_only", False)
    if not isinstance(test_only, bool):
        raise IssuerConfigError(f"{where}: 'test_only' must be true or false")
    allow_http_jku, lifetime = _test_options(entry, where, test_only)
    jku = _strings(entry, "jku", where)
    for url in jku:
        if allow_http_jku and urlsplit(url).scheme == "http":
            _require_url(url, where, "jku")
        else:
            _require_https(url, where, "jku")
    audiences = tuple(a.rstrip("/") for a in _strings(entry, "audiences", where))
    for url in audiences:
        _require_url(url, where, "audiences")

    keys: dict[str, Mapping[str, Any]] = {}
    if "jwks" in entry:
        keys.update(parse_jwks(entry["jwks"], f"{where}: jwks"))
    if "jwks_file" in entry:
        keys.update(_load_jwks_file(entry["jwks_file"], where, base_dir))
    if not jku and not keys:
        raise IssuerConfigError(f"{where}: needs 'jku', 'jwks' or 'jwks_file'")

    return Issuer(
        iss=iss,
        algorithms=algorithms,
        jku=jku,
        keys=MappingProxyType(keys),
        audiences=audiences,
        tenants=_strings(entry, "tenant", where),
        test_only=test_only,
        allow_http_jku=allow_http_jku,
        max_token_lifetime=lifetime,
    )


def _test_options(entry: Mapping[str, Any], where: str, test_only: bool) -> tuple[bool, int | None]:
    """allow_http_jku and max_token_lifetime: only for an issuer marked test_only."""
    allow_http = entry.get("allow_http_jku", False)
    lifetime = entry.get("max_token_lifetime")
    if not isinstance(allow_http, bool):
        raise IssuerConfigError(f"{where}: 'allow_http_jku' must be true or false")
    if lifetime is not None and (
        type(lifetime) is not int or not 0 < lifetime <= MAX_TEST_LIFETIME_SECONDS
    ):
        raise IssuerConfigError(
            f"{where}: 'max_token_lifetime' must be whole seconds, 1..{MAX_TEST_LIFETIME_SECONDS}"
        )
    if (allow_http or lifetime is not None) and not test_only:
        raise IssuerConfigError(
            f"{where}: 'allow_http_jku' and 'max_token_lifetime' need test_only = true"
        )
    return allow_http, lifetime


def parse_jwks(data: Any, where: str) -> dict[str, Mapping[str, Any]]:
    """Public signing keys of a JWK Set, keyed by ``kid``; private or symmetric keys are errors."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise IssuerConfigError(f"{where}: expected a JWK Set with a 'keys' list")
    keys: dict[str, Mapping[str, Any]] = {}
    for index, jwk in enumerate(data["keys"]):
        if not isinstance(jwk, dict):
            raise IssuerConfigError(f"{where}: keys[{index}] must be an object")
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid:
            raise IssuerConfigError(f"{where}: keys[{index}] has no 'kid'")
        if jwk.get("kty") not in {"EC", "RSA"}:
            raise IssuerConfigError(f"{where}: key {kid!r} must have kty EC or RSA")
        if _SECRET_MEMBERS & set(jwk):
            raise IssuerConfigError(
                f"{where}: key {kid!r} holds private or symmetric key material; "
                "list public keys only"
            )
        if kid in keys:
            raise IssuerConfigError(f"{where}: duplicate kid {kid!r}")
        try:
            jwt.PyJWK(dict(jwk))
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
            raise IssuerConfigError(f"{where}: key {kid!r} is not a usable JWK: {exc}") from exc
        keys[kid] = MappingProxyType(dict(jwk))
    return keys


def _load_jwks_file(value: Any, where: str, base_dir: Path | None) -> dict[str, Mapping[str, Any]]:
    if not isinstance(value, str) or not value:
        raise IssuerConfigError(f"{where}: 'jwks_file' must be a path")
    path = Path(value)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IssuerConfigError(f"{where}: jwks_file {path}: {exc}") from exc
    return parse_jwks(data, f"{where}: jwks_file {path}")


def _strings(entry: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    """A field that may be one string or a list of strings."""
    value = entry.get(name, ())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise IssuerConfigError(f"{where}: '{name}' must be a string or a list of strings")
    return tuple(value)


def _require_url(url: str, where: str, name: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise IssuerConfigError(f"{where}: {name} entry {url!r} is not an absolute URL")


def _require_https(url: str, where: str, name: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.fragment:
        raise IssuerConfigError(f"{where}: {name} {url!r} must be a plain https URL")


def _format(path: Path) -> str:
    return "TOML" if path.suffix.lower() == ".toml" else "JSON"
