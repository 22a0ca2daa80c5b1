"""Time claims are finite integers and `typ`, when present, is JWT: anything else is a 401.

Before: `iat: NaN` with a 10-year `exp` was accepted (NaN compares false with everything) and
`exp: NaN` gave a 500. The log names the failed check; the response never does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cds_service.auth import Authenticator, AuthError
from tests.auth.tokens import NOW, SERVICE_URL, KeyPair, claims, sign

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


@pytest.mark.parametrize("typ", ["JWT", "jwt", None])
def test_typ_jwt_or_absent_passes(make_auth: MakeAuth, ec384: KeyPair, typ: Any) -> None:
    assert make_auth().authenticate(f"Bearer {sign(ec384, typ=typ)}", SERVICE_URL)
