"""Test-only issuer relaxations: an http:// jku and longer-lived tokens, for clients such as
Da Vinci's crd-request-generator, allowed only on issuers marked test_only."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.auth.issuers import IssuerConfigError, parse_issuers
from cds_service.auth.jwks import JwksCache
from tests.auth.test_verifier import MakeAuth, rejected
from tests.auth.tokens import ISS, NOW, SERVICE_URL, FakeSession, KeyPair, claims, sign

HTTP_JKU = "http://localhost:3005/jwks"
DAY = 24 * 3600


def entry(key: KeyPair | None = None, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"iss": ISS, "jku": HTTP_JKU}
    if key is not None:
        base["jwks"] = {"keys": [key.jwk]}
    return {**base, **extra}


def test_http_jku_needs_allow_http_jku() -> None:
    with pytest.raises(IssuerConfigError, match="https"):
        parse_issuers({"issuers": [entry(test_only=True)]})


@pytest.mark.parametrize(
    "extra", [{"allow_http_jku": True}, {"max_token_lifetime": DAY, "jku": "https://x.org/j"}]
)
def test_relaxations_are_refused_on_an_issuer_that_is_not_test_only(extra: dict[str, Any]) -> None:
    with pytest.raises(IssuerConfigError, match="test_only"):
        parse_issuers({"issuers": [entry(**extra)]})


@pytest.mark.parametrize("lifetime", [0, -5, 30 * DAY, 1.5, "1d", True])
def test_max_token_lifetime_must_be_a_bounded_whole_number(lifetime: Any) -> None:
    with pytest.raises(IssuerConfigError, match="max_token_lifetime"):
        parse_issuers(
            {"issuers": [entry(test_only=True, allow_http_jku=True, max_token_lifetime=lifetime)]}
        )


def test_a_test_issuer_may_list_an_http_jku() -> None:
    (issuer,) = parse_issuers({"issuers": [entry(test_only=True, allow_http_jku=True)]}).values()
    assert issuer.jku == (HTTP_JKU,) and issuer.allow_http_jku


def test_http_jku_is_fetched_only_when_listed(session: FakeSession, ec384: KeyPair) -> None:
    session.serve_jwks(HTTP_JKU, ec384)
    assert JwksCache(session).get_key(HTTP_JKU, ec384.kid) is None
    allowed = JwksCache(session, http_allowed=frozenset({HTTP_JKU}))
    assert allowed.get_key(HTTP_JKU, ec384.kid) == ec384.jwk


def test_a_day_long_token_passes_only_for_the_test_issuer_that_allows_it(
    make_auth: MakeAuth, ec384: KeyPair
) -> None:
    token = sign(ec384, jku=None, payload=claims(exp=NOW + DAY))
    strict = make_auth(entry(ec384, test_only=True, allow_http_jku=True))
    assert rejected(strict, token) == "lifetime_too_long"
    relaxed = make_auth(entry(ec384, test_only=True, allow_http_jku=True, max_token_lifetime=DAY))
    assert relaxed.authenticate(f"Bearer {token}", SERVICE_URL).iss == ISS
    longer = sign(ec384, jku=None, payload=claims(exp=NOW + DAY + 3600))
    assert rejected(relaxed, longer) == "lifetime_too_long"
