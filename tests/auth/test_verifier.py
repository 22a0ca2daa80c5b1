"""Authenticator: every check CDS Hooks 2.0.1 asks of the EHR's JWT, with real signed tokens."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import create_engine

from cds_service import migrate
from cds_service.auth import Authenticator, AuthError
from cds_service.auth.replay import ReplayStore
from tests.auth.tokens import (
    BASE,
    ISS,
    JKU,
    NOW,
    SERVICE_URL,
    Clock,
    FakeSession,
    KeyPair,
    b64,
    claims,
    ec_key,
    hand_made,
    rsa_key,
    sign,
)

DATA = Path(__file__).parent / "data"
MakeAuth = Callable[..., Authenticator]


def inline(key: KeyPair, **extra: Any) -> dict[str, Any]:
    """An issuer entry with the key inline and JKU allowed."""
    return {"iss": ISS, "jku": JKU, "jwks": {"keys": [key.jwk]}, **extra}


def rejected(auth: Authenticator, token: str | None, audience: str = SERVICE_URL) -> str:
    """The failed check's name; fails the test if the token was accepted."""
    header = token if token is None or token.startswith(("Bearer", "Basic")) else f"Bearer {token}"
    with pytest.raises(AuthError) as info:
        auth.authenticate(header, audience)
    return info.value.check


def test_valid_es384_token_passes(make_auth: MakeAuth, ec384: KeyPair) -> None:
    payload = claims(tenant="clinic-1")
    verified = make_auth().authenticate(f"Bearer {sign(ec384, payload=payload)}", SERVICE_URL)
    assert (verified.iss, verified.jti, verified.tenant) == (ISS, payload["jti"], "clinic-1")
    assert verified.exp == NOW + 300


def test_valid_rs384_token_passes_with_key_fetched_from_allowed_jku(
    make_auth: MakeAuth, session: FakeSession, rsa2048: KeyPair
) -> None:
    session.serve_jwks(JKU, rsa2048)
    auth = make_auth({"iss": ISS, "jku": JKU})
    assert auth.authenticate(f"Bearer {sign(rsa2048, 'RS384')}", SERVICE_URL).iss == ISS
    assert [url for url, _ in session.calls] == [JKU]


def test_token_without_jku_header_uses_the_configured_jku(
    make_auth: MakeAuth, session: FakeSession, rsa2048: KeyPair
) -> None:
    session.serve_jwks(JKU, rsa2048)
    auth = make_auth({"iss": ISS, "jku": JKU})
    assert auth.authenticate(f"Bearer {sign(rsa2048, 'RS384', jku=None)}", SERVICE_URL)


def test_bearer_scheme_is_case_insensitive(make_auth: MakeAuth, ec384: KeyPair) -> None:
    assert make_auth().authenticate(f"bearer {sign(ec384)}", SERVICE_URL)


def test_alg_none_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = hand_made({"alg": "none", "typ": "JWT", "kid": ec384.kid}, claims(), secret=None)
    assert rejected(make_auth(), token) == "alg_not_allowed"


@pytest.mark.parametrize("key_name", ["ec384", "rsa2048"])
def test_hs256_signed_with_the_public_key_is_rejected(
    make_auth: MakeAuth, key_name: str, request: pytest.FixtureRequest
) -> None:
    key: KeyPair = request.getfixturevalue(key_name)
    auth = make_auth(inline(key, algorithms=["ES384", "RS384"]))
    for secret in (key.public_pem(), json.dumps(key.jwk).encode()):
        token = hand_made({"alg": "HS256", "typ": "JWT", "kid": key.kid}, claims(), secret)
        assert rejected(auth, token) == "alg_not_allowed"


def test_wrong_aud_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(aud=f"{BASE}/cds-services/another-service"))
    assert rejected(make_auth(), token) == "aud"


def test_discovery_token_is_not_accepted_for_a_service_call(
    make_auth: MakeAuth, ec384: KeyPair
) -> None:
    token = sign(ec384, payload=claims(aud=f"{BASE}/cds-services"))
    assert rejected(make_auth(), token) == "aud"


def test_aud_as_array_containing_the_url_called_passes(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(aud=["https://other.example", SERVICE_URL]))
    assert make_auth().authenticate(f"Bearer {token}", SERVICE_URL)


def test_aud_as_array_without_the_url_called_is_rejected(
    make_auth: MakeAuth, ec384: KeyPair
) -> None:
    token = sign(ec384, payload=claims(aud=["https://other.example", f"{BASE}/cds-services"]))
    assert rejected(make_auth(), token) == "aud"


def test_aud_with_trailing_slash_passes(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(aud=SERVICE_URL + "/"))
    assert make_auth().authenticate(f"Bearer {token}", SERVICE_URL)


def test_issuer_audiences_replace_the_public_base_url(make_auth: MakeAuth, ec384: KeyPair) -> None:
    entry = inline(ec384, audiences=["https://cds.hospital.org/"])
    auth = make_auth(entry)
    good = sign(
        ec384, payload=claims(aud="https://cds.hospital.org/cds-services/ad-topical-steroids")
    )
    assert auth.authenticate(f"Bearer {good}", SERVICE_URL)
    assert rejected(auth, sign(ec384)) == "aud"  # the public base URL is no longer accepted


def test_expired_token_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(iat=NOW - 400, exp=NOW - 61))
    assert rejected(make_auth(), token) == "expired"


def test_token_expired_within_the_leeway_passes(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(iat=NOW - 400, exp=NOW - 59))
    assert make_auth().authenticate(f"Bearer {token}", SERVICE_URL)


def test_iat_in_the_future_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(iat=NOW + 120, exp=NOW + 420))
    assert rejected(make_auth(), token) == "iat_in_future"


def test_nbf_in_the_future_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(nbf=NOW + 120))
    assert rejected(make_auth(), token) == "not_yet_valid"


@pytest.mark.parametrize("missing", ["exp", "iat"])
def test_missing_exp_or_iat_is_rejected(make_auth: MakeAuth, ec384: KeyPair, missing: str) -> None:
    token = sign(ec384, payload=claims(**{missing: None}))
    assert rejected(make_auth(), token) == "exp_or_iat_missing"


def test_token_living_longer_than_an_hour_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(exp=NOW + 3601))
    assert rejected(make_auth(), token) == "lifetime_too_long"


def test_missing_jti_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    assert rejected(make_auth(), sign(ec384, payload=claims(jti=None))) == "jti_missing"


def test_replayed_jti_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    auth = make_auth()
    token = sign(ec384)
    assert auth.authenticate(f"Bearer {token}", SERVICE_URL)
    assert rejected(auth, token) == "jti_replayed"


def test_replayed_jti_is_rejected_by_a_second_instance_sharing_the_database(
    make_auth: MakeAuth, ec384: KeyPair, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first, second = create_engine(url), create_engine(url)
    try:
        token = sign(ec384)
        assert make_auth(engine_=first).authenticate(f"Bearer {token}", SERVICE_URL)
        # A fresh token with the same jti, as a replay through another worker would look.
        assert rejected(make_auth(engine_=second), token) == "jti_replayed"
    finally:
        first.dispose()
        second.dispose()


def test_unavailable_replay_store_refuses_the_token(
    ec384: KeyPair, clock: Clock, session: FakeSession, tmp_path: Path
) -> None:
    from cds_service.auth import JwksCache, parse_issuers

    engine = create_engine(f"sqlite:///{tmp_path / 'no-table.sqlite3'}")  # table never created
    issuers = parse_issuers({"issuers": [{"iss": ISS, "jwks": {"keys": [ec384.jwk]}}]})
    auth = Authenticator(issuers, JwksCache(session), ReplayStore(engine, clock=clock), clock=clock)
    assert rejected(auth, sign(ec384, jku=None)) == "replay_store_unavailable"
    engine.dispose()


def test_unknown_iss_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    token = sign(ec384, payload=claims(iss="https://evil.example"))
    assert rejected(make_auth(), token) == "iss_unknown"


def test_jku_not_on_the_list_is_rejected_and_never_fetched(
    make_auth: MakeAuth, session: FakeSession, attacker: KeyPair
) -> None:
    evil = "https://evil.example/jwks.json"
    session.serve_jwks(evil, attacker)
    token = sign(attacker, jku=evil, kid="attacker-kid")
    assert rejected(make_auth(), token) == "jku_not_allowed"
    assert session.calls == []


def test_unknown_kid_is_rejected(make_auth: MakeAuth, session: FakeSession) -> None:
    stranger = ec_key("never-published")
    session.serve_jwks(JKU)  # the allowed set does not hold it
    assert rejected(make_auth(), sign(stranger)) == "kid_unknown"
    assert [url for url, _ in session.calls] == [JKU]


def test_missing_kid_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    assert rejected(make_auth(), sign(ec384, kid=None)) == "kid_missing"


def test_tampered_payload_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    header, _, signature = sign(ec384).split(".")
    forged = b64(json.dumps(claims(tenant="someone-else")).encode())
    assert rejected(make_auth(), f"{header}.{forged}.{signature}") == "signature"


def test_token_signed_by_another_key_with_the_same_kid_is_rejected(
    make_auth: MakeAuth, attacker: KeyPair
) -> None:
    assert rejected(make_auth(), sign(attacker)) == "signature"


@pytest.mark.parametrize("header_name", ["jwk", "x5u", "x5c"])
def test_embedded_key_headers_are_ignored(
    make_auth: MakeAuth, session: FakeSession, attacker: KeyPair, header_name: str
) -> None:
    values: dict[str, Any] = {
        "jwk": attacker.jwk,
        "x5u": "https://evil.example/cert.pem",
        "x5c": ["MIIBdummy"],
    }
    token = sign(attacker, **{header_name: values[header_name]})
    assert rejected(make_auth(), token) == "signature"  # checked against the configured key
    token = sign(attacker, kid="attacker-only", **{header_name: values[header_name]})
    assert rejected(make_auth(), token) == "kid_unknown"
    assert all(url == JKU for url, _ in session.calls)  # x5u never fetched


def test_ec_key_with_rs384_header_is_rejected(
    make_auth: MakeAuth, ec384: KeyPair, rsa2048: KeyPair
) -> None:
    # The attacker signs with RSA but names the issuer's EC key.
    token = sign(rsa2048, "RS384", kid=ec384.kid)
    assert rejected(make_auth(), token) == "kty_alg_mismatch"


def test_p256_key_with_es384_header_is_rejected(make_auth: MakeAuth) -> None:
    p256 = ec_key("p256", ec.SECP256R1())
    auth = make_auth(inline(p256, algorithms=["ES256", "ES384"]))
    assert auth.authenticate(f"Bearer {sign(p256, 'ES256', jku=None)}", SERVICE_URL)
    token = hand_made({"alg": "ES384", "typ": "JWT", "kid": p256.kid}, claims(), secret=b"x")
    assert rejected(auth, token) == "kty_alg_mismatch"


def test_rs256_is_refused_unless_the_issuer_lists_it(make_auth: MakeAuth, rsa2048: KeyPair) -> None:
    entry = inline(rsa2048)
    assert rejected(make_auth(entry), sign(rsa2048, "RS256")) == "alg_not_allowed_for_issuer"
    allowed = make_auth({**entry, "algorithms": ["RS256"]})
    assert allowed.authenticate(f"Bearer {sign(rsa2048, 'RS256')}", SERVICE_URL)


def test_ps384_passes_when_listed(make_auth: MakeAuth, rsa2048: KeyPair) -> None:
    auth = make_auth(inline(rsa2048, algorithms=["PS384"]))
    assert auth.authenticate(f"Bearer {sign(rsa2048, 'PS384')}", SERVICE_URL)


def test_rsa_key_below_2048_bits_is_rejected(make_auth: MakeAuth) -> None:
    weak = rsa_key("weak", bits=1024)
    auth = make_auth(inline(weak))
    with pytest.warns(Warning):  # PyJWT warns when *signing* with a short key
        token = sign(weak, "RS384")
    assert rejected(auth, token) == "key_unusable"


def test_tenant_must_match_when_the_issuer_names_one(make_auth: MakeAuth, ec384: KeyPair) -> None:
    auth = make_auth(inline(ec384, tenant=["clinic-1"]))
    assert rejected(auth, sign(ec384, payload=claims(tenant="clinic-2"))) == "tenant"
    assert rejected(auth, sign(ec384)) == "tenant"
    assert auth.authenticate(
        f"Bearer {sign(ec384, payload=claims(tenant='clinic-1'))}", SERVICE_URL
    )


@pytest.mark.parametrize(
    ("header", "check"),
    [
        (None, "authorization_missing"),
        ("", "authorization_missing"),
        ("Bearer", "not_bearer"),
        ("Bearer   ", "not_bearer"),
        ("Basic dXNlcjpwYXNz", "not_bearer"),
        ("Bearer not-a-jwt", "malformed"),
        ("Bearer abc.def.ghi", "malformed"),
        ("Bearer " + "a" * 9000, "token_too_large"),
    ],
)
def test_missing_or_garbage_authorization_is_rejected(
    make_auth: MakeAuth, header: str | None, check: str
) -> None:
    with pytest.raises(AuthError) as info:
        make_auth().authenticate(header, SERVICE_URL)
    assert info.value.check == check


def test_token_without_bearer_scheme_is_rejected(make_auth: MakeAuth, ec384: KeyPair) -> None:
    with pytest.raises(AuthError) as info:
        make_auth().authenticate(sign(ec384), SERVICE_URL)
    assert info.value.check == "not_bearer"


def test_rejection_log_names_check_iss_and_jti_but_never_the_token(
    make_auth: MakeAuth, ec384: KeyPair, caplog: pytest.LogCaptureFixture
) -> None:
    payload = claims(aud="https://wrong.example/cds-services")
    token = sign(ec384, payload=payload)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as info:
        make_auth().authenticate(f"Bearer {token}", SERVICE_URL)
    assert str(info.value) == "aud"
    assert "check=aud" in caplog.text and ISS in caplog.text and payload["jti"] in caplog.text
    for part in token.split("."):
        assert part not in caplog.text


def test_spec_example_token_verifies_against_its_key_set(session: FakeSession, engine: Any) -> None:
    from cds_service.auth import JwksCache, parse_issuers

    token = (DATA / "spec-jwt-example-compact.txt").read_text().strip()
    jwks = json.loads((DATA / "spec-jwks-public.json").read_text())
    issuers = parse_issuers(
        {
            "issuers": [
                {
                    "iss": "https://fhir-ehr.example.com/",
                    "jku": "https://fhir-ehr.example.com/jwk_uri",
                    "jwks": jwks,
                }
            ]
        }
    )
    iat = 1311280970  # the token expired in 2015: pin the clock and allow its long lifetime
    store = ReplayStore(engine)
    migrate.upgrade(engine)
    auth = Authenticator(
        issuers, JwksCache(session), store, clock=Clock(iat), max_lifetime_seconds=10**9
    )
    verified = auth.authenticate(
        f"Bearer {token}", "https://cds.example.org/cds-services/some-service"
    )
    assert verified.jti == "ee22b021-e1b7-4611-ba5b-8eec6a33ac1e"
    assert verified.tenant == "2ddd6c3a-8e9a-44c6-a305-52111ad302a2"
    assert session.calls == []  # inline keys: the example jku is never fetched
