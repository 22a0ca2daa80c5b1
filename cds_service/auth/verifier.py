"""Verifies the EHR's ``Authorization: Bearer <JWT>`` as CDS Hooks 2.0.1 requires."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

import jwt

from cds_service.auth.issuers import ASYMMETRIC_ALGORITHMS, Issuer
from cds_service.auth.jwks import JwksCache
from cds_service.auth.replay import MAX_JTI_LENGTH, ReplayStore, ReplayStoreError

log = logging.getLogger(__name__)

DEFAULT_LEEWAY_SECONDS = 60
# CDS Hooks best practice: client JWTs live "no more than an hour"; the replay record
# only has to outlive that.
DEFAULT_MAX_LIFETIME_SECONDS = 3600
MAX_TOKEN_CHARS = 8192
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


class AuthError(Exception):
    """A token was refused; ``check`` names the failed check for the log, never the response."""

    def __init__(self, check: str, iss: str | None = None, jti: str | None = None) -> None:
        super().__init__(check)
        self.check = check
        self.iss = iss
        self.jti = jti


@dataclass(frozen=True)
class VerifiedToken:
    """What the rest of the service may know about an accepted caller."""

    iss: str
    jti: str
    tenant: str | None
    exp: int


class Authenticator:
    """Checks issuer, key, signature, audience, times, tenant and replay, in that order."""

    def __init__(
        self,
        issuers: Mapping[str, Issuer],
        keys: JwksCache,
        replay: ReplayStore,
        *,
        public_base_url: str = "",
        leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
        max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuers = dict(issuers)
        self._keys = keys
        self._replay = replay
        self._public_base = public_base_url.rstrip("/")
        self._leeway = leeway_seconds
        self._max_lifetime = max_lifetime_seconds
        self._clock = clock

    def authenticate(self, authorization_header: str | None, audience: str) -> VerifiedToken:
        """Verify the bearer JWT for a call to ``audience`` (the URL called); raise AuthError."""
        try:
            return self._authenticate(authorization_header, audience)
        except AuthError as exc:
            log.warning(
                "auth rejected: check=%s iss=%s jti=%s", exc.check, _safe(exc.iss), _safe(exc.jti)
            )
            raise

    def _authenticate(self, authorization_header: str | None, audience: str) -> VerifiedToken:
        token = _bearer_token(authorization_header)
        header, claims = _unverified_parts(token)
        iss, jti = _str_or_none(claims.get("iss")), _str_or_none(claims.get("jti"))

        def fail(check: str) -> AuthError:
            return AuthError(check, iss, jti)

        alg = header.get("alg")
        if alg not in ASYMMETRIC_ALGORITHMS:  # `none`, HS*, anything unknown
            raise fail("alg_not_allowed")
        issuer = self._issuers.get(iss) if iss else None
        if issuer is None:
            raise fail("iss_unknown")
        if alg not in issuer.algorithms:
            raise fail("alg_not_allowed_for_issuer")
        # `jwk`, `x5u` and `x5c` headers are deliberately never read: keys come from config.
        jwk = self._find_key(issuer, header, fail)
        _check_key_matches_alg(jwk, alg, fail)
        try:
            key = jwt.PyJWK(dict(jwk), algorithm=alg)
            jwt.PyJWS().decode(
                token, key=key, algorithms=[alg], options={"enforce_minimum_key_length": True}
            )
        except (jwt.PyJWKError, jwt.InvalidKeyError):
            raise fail("key_unusable") from None
        except jwt.InvalidTokenError:
            raise fail("signature") from None

        self._check_audience(issuer, claims.get("aud"), audience, fail)
        exp = self._check_times(claims, fail, issuer.max_token_lifetime)
        tenant = _str_or_none(claims.get("tenant"))
        if issuer.tenants and tenant not in issuer.tenants:
            raise fail("tenant")
        if not jti or len(jti) > MAX_JTI_LENGTH:
            raise fail("jti_missing")
        try:
            first_use = self._replay.claim(issuer.iss, jti, exp + self._leeway)
        except ValueError:  # a jti no database can record (a lone surrogate, a NUL)
            raise fail("jti_invalid") from None
        except ReplayStoreError:
            log.error("replay store unavailable; refusing token")
            raise fail("replay_store_unavailable") from None
        if not first_use:
            raise fail("jti_replayed")
        return VerifiedToken(iss=issuer.iss, jti=jti, tenant=tenant, exp=exp)

    def _find_key(
        self, issuer: Issuer, header: Mapping[str, Any], fail: Callable[[str], AuthError]
    ) -> Mapping[str, Any]:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise fail("kid_missing")
        jku = header.get("jku")
        if jku is not None and jku not in issuer.jku:
            raise fail("jku_not_allowed")  # never fetched
        if kid in issuer.keys:
            return issuer.keys[kid]
        # With no jku header the issuer's configured jku is the out-of-band key location.
        for url in [jku] if jku is not None else issuer.jku:
            jwk = self._keys.get_key(url, kid)
            if jwk is not None:
                return jwk
        raise fail("kid_unknown")

    def _check_audience(
        self, issuer: Issuer, aud: Any, audience: str, fail: Callable[[str], AuthError]
    ) -> None:
        claimed = [aud] if isinstance(aud, str) else aud
        if not isinstance(claimed, list) or not all(isinstance(a, str) for a in claimed):
            raise fail("aud")
        accepted = {_norm(url) for url in self._accepted_audiences(issuer, audience)}
        if not accepted.intersection(_norm(a) for a in claimed):
            raise fail("aud")

    def _accepted_audiences(self, issuer: Issuer, audience: str) -> list[str]:
        # An issuer may know this service by other base URLs (configured per issuer);
        # the endpoint path must still match the one called.
        if not issuer.audiences:
            return [audience]
        if not self._public_base or not audience.startswith(self._public_base):
            return []
        path = audience[len(self._public_base) :]
        return [base + path for base in issuer.audiences]

    def _check_times(
        self, claims: Mapping[str, Any], fail: Callable[[str], AuthError], lifetime: int | None
    ) -> int:
        exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf")
        # Integers only: NaN compares false with everything (an `iat: NaN` token passed every
        # check), and a float or a string is not what an EHR sends.
        if exp is None or iat is None:
            raise fail("exp_or_iat_missing")
        if not _is_integer(exp) or not _is_integer(iat):
            raise fail("exp_or_iat_not_integer")
        if nbf is not None and not _is_integer(nbf):
            raise fail("nbf_not_integer")
        now = self._clock()
        if now > exp + self._leeway:
            raise fail("expired")
        if iat > now + self._leeway:
            raise fail("iat_in_future")
        if nbf is not None and nbf > now + self._leeway:
            raise fail("not_yet_valid")
        if exp - iat > (lifetime or self._max_lifetime):
            raise fail("lifetime_too_long")
        return int(exp)


def _bearer_token(authorization_header: str | None) -> str:
    if not authorization_header:
        raise AuthError("authorization_missing")
    scheme, _, token = authorization_header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("not_bearer")
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        raise AuthError("token_too_large")
    return token


def _unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before verification: used only to pick the issuer and key."""
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.PyJWS().decode(token, options={"verify_signature": False})
        claims = json.loads(payload, parse_constant=_no_constant)
    except (jwt.InvalidTokenError, ValueError, TypeError, RecursionError):
        raise AuthError("malformed") from None
    if not isinstance(claims, dict):
        raise AuthError("malformed")
    typ = header.get("typ")  # CDS Hooks 2.0.1: REQUIRED, "JWT"
    if not isinstance(typ, str) or typ.upper() != "JWT":
        raise AuthError("typ_not_jwt")
    return header, claims


def _check_key_matches_alg(
    jwk: Mapping[str, Any], alg: str, fail: Callable[[str], AuthError]
) -> None:
    kty = jwk.get("kty")
    expected_kty = "EC" if alg.startswith("ES") else "RSA"
    if kty != expected_kty or (kty == "EC" and jwk.get("crv") != _CURVES[alg]):
        raise fail("kty_alg_mismatch")
    if jwk.get("alg") not in (None, alg) or jwk.get("use") not in (None, "sig"):
        raise fail("kty_alg_mismatch")


def _norm(url: str) -> str:
    return url.rstrip("/")


def _is_integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity, -Infinity: Python's extension


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _safe(value: str | None) -> str:
    """Unverified claim values go to the log quoted and cut short, so they cannot forge lines."""
    return "-" if value is None else repr(value[:120])
