"""Caller authentication: the EHR's signed JWT, trusted issuers, key cache and replay store."""

from cds_service.auth.issuers import Issuer, IssuerConfigError, load_issuers, parse_issuers
from cds_service.auth.jwks import JwksCache
from cds_service.auth.replay import ReplayStore
from cds_service.auth.verifier import Authenticator, AuthError, VerifiedToken

__all__ = [
    "AuthError",
    "Authenticator",
    "Issuer",
    "IssuerConfigError",
    "JwksCache",
    "ReplayStore",
    "VerifiedToken",
    "load_issuers",
    "parse_issuers",
]
