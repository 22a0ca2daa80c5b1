"""JwksCache: https only, no redirects, bounded size and time, rate-limited unknown-kid refresh."""

from __future__ import annotations

import json

import pytest
import requests

from cds_service.auth.jwks import JwksCache, JwksFetchError, signing_keys
from tests.auth.tokens import JKU, Clock, FakeResponse, FakeSession, KeyPair, ec_key, rsa_key


def test_keys_are_fetched_once_and_cached(
    session: FakeSession, clock: Clock, ec384: KeyPair
) -> None:
    session.serve_jwks(JKU, ec384)
    cache = JwksCache(session, clock=clock)
    assert cache.get_key(JKU, ec384.kid) == ec384.jwk
    clock.now += 30
    assert cache.get_key(JKU, ec384.kid) == ec384.jwk
    assert len(session.calls) == 1


def test_fetch_uses_short_timeout_and_no_redirects(session: FakeSession, ec384: KeyPair) -> None:
    session.serve_jwks(JKU, ec384)
    JwksCache(session).get_key(JKU, ec384.kid)
    ((_, kwargs),) = session.calls
    assert kwargs["allow_redirects"] is False
    assert 0 < kwargs["timeout"] <= 2.0


def test_unknown_kid_refetches_at_most_once_a_minute(session: FakeSession, clock: Clock) -> None:
    old, new = ec_key("old"), ec_key("new")
    session.serve_jwks(JKU, old)
    cache = JwksCache(session, clock=clock)
    assert cache.get_key(JKU, "old") is not None
    for _ in range(5):  # a burst of forged kids
        clock.now += 5
        assert cache.get_key(JKU, "forged") is None
    assert len(session.calls) == 1
    session.serve_jwks(JKU, old, new)  # the EHR rotates its keys
    clock.now += 35  # 60 s after the first fetch
    assert cache.get_key(JKU, "new") == new.jwk
    assert len(session.calls) == 2


def test_stale_keys_are_refetched_so_withdrawn_keys_stop_working(
    session: FakeSession, clock: Clock
) -> None:
    key = ec_key("k1")
    session.serve_jwks(JKU, key)
    cache = JwksCache(session, clock=clock, max_age_seconds=3600)
    assert cache.get_key(JKU, "k1") is not None
    session.serve_jwks(JKU)  # withdrawn
    clock.now += 3600
    assert cache.get_key(JKU, "k1") is None


def test_fetch_failure_keeps_serving_known_keys(session: FakeSession, clock: Clock) -> None:
    key = ec_key("k1")
    session.serve_jwks(JKU, key)
    cache = JwksCache(session, clock=clock, max_age_seconds=60)
    assert cache.get_key(JKU, "k1") is not None
    session.routes[JKU] = requests.ConnectionError("down")
    clock.now += 120
    assert cache.get_key(JKU, "k1") == key.jwk
    assert len(session.calls) == 2


def test_http_jku_is_never_fetched(session: FakeSession, ec384: KeyPair) -> None:
    url = "http://ehr.example.org/jwks.json"
    session.serve_jwks(url, ec384)
    assert JwksCache(session).get_key(url, ec384.kid) is None
    assert session.calls == []


def test_redirect_is_not_followed(session: FakeSession, ec384: KeyPair) -> None:
    session.routes[JKU] = FakeResponse(302, headers={"Location": "https://evil.example/jwks"})
    session.serve_jwks("https://evil.example/jwks", ec384)
    assert JwksCache(session).get_key(JKU, ec384.kid) is None
    assert [url for url, _ in session.calls] == [JKU]


@pytest.mark.parametrize("declare_length", [True, False])
def test_oversized_key_set_is_refused(
    session: FakeSession, ec384: KeyPair, declare_length: bool
) -> None:
    body = json.dumps({"keys": [ec384.jwk], "padding": "x" * 70_000}).encode()
    headers = {"Content-Length": str(len(body))} if declare_length else {}
    session.routes[JKU] = FakeResponse(body=body, headers=headers)
    assert JwksCache(session, max_bytes=64 * 1024).get_key(JKU, ec384.kid) is None


@pytest.mark.parametrize(
    "route",
    [
        FakeResponse(body=b"<html>not json</html>"),
        FakeResponse(body=b'{"no": "keys"}'),
        FakeResponse(status_code=500),
        requests.Timeout("slow"),
    ],
)
def test_bad_or_failed_fetch_yields_no_key(
    session: FakeSession, ec384: KeyPair, route: object
) -> None:
    session.routes[JKU] = route
    assert JwksCache(session).get_key(JKU, ec384.kid) is None


def test_only_public_signing_keys_are_kept() -> None:
    ec, rsa = ec_key("ec"), rsa_key("rsa")
    data = {
        "keys": [
            ec.jwk,
            rsa.jwk,
            {**ec_key("enc").jwk, "use": "enc"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {**ec_key("private").jwk, "d": "leaked"},
            {k: v for k, v in ec_key("nokid").jwk.items() if k != "kid"},
        ]
    }
    assert sorted(signing_keys(data)) == ["ec", "rsa"]


def test_signing_keys_refuses_what_is_not_a_key_set() -> None:
    with pytest.raises(JwksFetchError):
        signing_keys(["not", "a", "set"])
