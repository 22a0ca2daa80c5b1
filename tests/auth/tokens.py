"""Test helpers: generated keys, signed tokens, a fake clock and a fake HTTP session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISS = "https://ehr.example.org"
JKU = "https://ehr.example.org/.well-known/jwks.json"
BASE = "https://cds.example.org"
SERVICE_URL = f"{BASE}/cds-services/ad-topical-steroids"
NOW = 1_750_000_000


@dataclass
class KeyPair:
    """A private key and its public JWK (with kid)."""

    private: Any
    jwk: dict[str, Any]

    @property
    def kid(self) -> str:
        return str(self.jwk["kid"])

    def public_pem(self) -> bytes:
        return bytes(
            self.private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


def ec_key(kid: str, curve: ec.EllipticCurve | None = None) -> KeyPair:
    """A fresh EC key pair (P-384 unless told) and its public JWK."""
    private = ec.generate_private_key(curve or ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    return KeyPair(private, {**public, "kid": kid, "use": "sig"})


def rsa_key(kid: str, bits: int = 2048) -> KeyPair:
    """A fresh RSA key pair and its public JWK."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return KeyPair(private, {**public, "kid": kid, "use": "sig"})


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid CDS Hooks client-JWT claims for a service call at NOW; None values are dropped."""
    base: dict[str, Any] = {
        "iss": ISS,
        "aud": SERVICE_URL,
        "exp": NOW + 300,
        "iat": NOW,
        "jti": str(uuid.uuid4()),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(
    key: KeyPair,
    alg: str = "ES384",
    payload: Mapping[str, Any] | None = None,
    **header: Any,
) -> str:
    """A compact JWS signed with key; header defaults to typ JWT, the key's kid and JKU."""
    headers = {"typ": "JWT", "kid": key.kid, "jku": JKU, **header}
    headers = {k: v for k, v in headers.items() if v is not None}
    return jwt.encode(dict(payload or claims()), key.private, algorithm=alg, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: Mapping[str, Any], payload: Mapping[str, Any], secret: bytes | None) -> str:
    """A token built by hand: unsigned when secret is None, else HS256 over secret."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if secret is None:
        return signing_input + "."
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeResponse:
    status_code: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def iter_content(self, chunk_size: int = 1) -> Any:
        for start in range(0, len(self.body), chunk_size):
            yield self.body[start : start + chunk_size]

    def close(self) -> None:
        pass


class FakeSession:
    """Serves JWK Sets from a dict by URL and records every call."""

    def __init__(self, routes: dict[str, Any] | None = None) -> None:
        self.routes: dict[str, Any] = routes or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def serve_jwks(self, url: str, *keys: KeyPair) -> None:
        self.routes[url] = FakeResponse(body=json.dumps({"keys": [k.jwk for k in keys]}).encode())

    def get(self, url: str, **kwargs: Any) -> Any:
        self.calls.append((url, kwargs))
        route = self.routes.get(url)
        if route is None:
            return FakeResponse(status_code=404)
        if isinstance(route, BaseException):
            raise route
        return route
