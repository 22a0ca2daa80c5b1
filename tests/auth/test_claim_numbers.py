"""Time claims are finite integers and `typ`, when present, is JWT: anything else is a 401.

Before: `iat: NaN` with a 10-year `exp` was accepted (NaN compares false with everything) and
`exp: NaN` gave a 500. The log names the failed check; the response never does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from cds_service.auth import Authenticator, AuthError
from tests.auth.tokens import NOW, SERVICE_URL, KeyPair, b64, claims, sign

MakeAuth = Callable[..., Authenticator]
TEN_YEARS = 10 * 365 * 86400


def rejected(auth: Authenticator, token: str) -> str:
    with pytest.raises(AuthError) as info:
        auth.authenticate(f"Bearer {token}", SERVICE_URL)
    return info.value.check


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"iat": float("nan"), "exp": NOW + TEN_YEARS}, "malformed"),
        ({"exp": float("nan")}, "malformed"),
        ({"exp": float("inf")}, "malformed"),
        ({"iat": float("-inf")}, "malformed"),
        ({"exp": NOW + 300.5}, "exp_or_iat_not_integer"),
        ({"exp": str(NOW + 300)}, "exp_or_iat_not_integer"),
        ({"iat": True}, "exp_or_iat_not_integer"),
        ({"exp": [NOW + 300]}, "exp_or_iat_not_integer"),
        ({"nbf": float("nan")}, "malformed"),  # NaN and Infinity anywhere: not JSON at all
        ({"nbf": "yesterday"}, "nbf_not_integer"),
        ({"nbf": NOW - 10.0}, "nbf_not_integer"),
        ({"extra": float("nan")}, "malformed"),
        ({"exp": 10**400}, "expired"),  # an integer, but far beyond the lifetime
        ({"exp": None}, "exp_or_iat_missing"),
    ],
)
def test_time_claims_must_be_finite_integers(
    make_auth: MakeAuth, ec384: KeyPair, overrides: dict[str, Any], check: str
) -> None:
    token = sign(ec384, payload=claims(**overrides))
    found = rejected(make_auth(), token)
    # A huge exp fails as a lifetime longer than allowed (or expiry): never accepted, never 500.
    assert found == check or (check == "expired" and found == "lifetime_too_long")


@pytest.mark.parametrize("typ", ["at+jwt", "JWE", 1])
def test_typ_other_than_jwt_is_refused(make_auth: MakeAuth, ec384: KeyPair, typ: Any) -> None:
    assert rejected(make_auth(), sign(ec384, typ=typ)) == "typ_not_jwt"


def test_typ_is_required(make_auth: MakeAuth, ec384: KeyPair) -> None:
    """CDS Hooks 2.0.1 makes the JWT header's typ REQUIRED ("JWT")."""
    token = jwt.encode(claims(), ec384.private, algorithm="ES384", headers={"kid": ec384.kid})
    head, rest = token.split(".", 1)
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    assert header.pop("typ", None) == "JWT"  # PyJWT adds it; take it out and re-sign
    unsigned = b64(json.dumps(header).encode()) + "." + rest.split(".")[0]
    signature = ec384.private.sign(unsigned.encode(), ec.ECDSA(hashes.SHA384()))
    r, s = decode_dss_signature(signature)
    raw = r.to_bytes(48, "big") + s.to_bytes(48, "big")
    assert rejected(make_auth(), f"{unsigned}.{b64(raw)}") == "typ_not_jwt"


@pytest.mark.parametrize("typ", ["JWT", "jwt"])
def test_typ_jwt_passes(make_auth: MakeAuth, ec384: KeyPair, typ: Any) -> None:
    assert make_auth().authenticate(f"Bearer {sign(ec384, typ=typ)}", SERVICE_URL)


@pytest.mark.parametrize("jti", ["\ud800", "a\x00b", "x\u2028"])
def test_a_jti_no_database_can_record_is_refused_not_a_500(
    make_auth: MakeAuth, ec384: KeyPair, jti: str
) -> None:
    token = sign(ec384, payload=claims(jti=jti))
    assert rejected(make_auth(), token) == "jti_invalid"
