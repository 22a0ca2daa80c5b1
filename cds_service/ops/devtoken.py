"""`cds-service dev-token`: a local test EHR: its key, its trusted-issuers entry, its tokens.

`init DIR` writes a new P-384 key (dev-ehr-key.pem, private: never commit it) and a
trusted-issuers file (dev-issuers.toml) that trusts only that key, marked test_only. `mint`
signs a CDS Hooks client token (ES384, 5 minutes, fresh jti) for one service URL. Start the
service with CDS_AUTH_MODE=jwt CDS_TRUSTED_ISSUERS=DIR/dev-issuers.toml to test JWT mode
without an EHR.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

DEV_ISSUER = "urn:cds-service:dev-ehr"
KEY_FILE = "dev-ehr-key.pem"
ISSUERS_FILE = "dev-issuers.toml"
LIFETIME = 300  # the spec's recommended maximum is 5 minutes


def init(directory: Path) -> tuple[Path, Path]:
    """Write a new key and the issuers file trusting it; refuse to overwrite a key."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path, issuers_path = directory / KEY_FILE, directory / ISSUERS_FILE
    if key_path.exists():
        raise ValueError(f"{key_path} exists: mint with it or choose another directory")
    key = ec.generate_private_key(ec.SECP384R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path.touch(mode=0o600)
    key_path.write_bytes(pem)
    jwk = _public_jwk(key)
    kid = _thumbprint(jwk)
    issuers_path.write_text(
        "# Written by `cds-service dev-token init`: trusts only the local test key beside it.\n"
        "[[issuers]]\n"
        f'iss = "{DEV_ISSUER}"\n'
        "test_only = true\n"
        'algorithms = ["ES384"]\n\n'
        "[[issuers.jwks.keys]]\n"
        f'kty = "EC"\ncrv = "P-384"\nkid = "{kid}"\nx = "{jwk["x"]}"\ny = "{jwk["y"]}"\n'
        'use = "sig"\nalg = "ES384"\n',
        encoding="utf-8",
    )
    return key_path, issuers_path


def mint(key_path: Path, audience: str, now: float | None = None) -> str:
    """A signed client token for one service URL (e.g. http://127.0.0.1:8080/cds-services/x)."""
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_path} is not an EC private key")
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": DEV_ISSUER,
        "sub": "dev-ehr-client",
        "aud": audience,
        "iat": issued,
        "exp": issued + LIFETIME,
        "jti": str(uuid.uuid4()),
    }
    headers = {"typ": "JWT", "kid": _thumbprint(_public_jwk(key))}
    return jwt.encode(claims, key, algorithm="ES384", headers=headers)


def _public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    found: dict[str, str] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    return found


def _thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint: the key id follows the key wherever its file is kept."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return (
        base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    )
