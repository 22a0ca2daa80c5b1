"""Caller authentication: the EHR's signed JWT, trusted issuers, key cache and replay store."""

from cds_service.auth.issuers import Issuer, IssuerConfigError, load_issuers, parse_issuers
from cds_service.auth.jwks import JwksCache

__all__ = [
    "Issuer",
    "IssuerConfigError",
    "JwksCache",
    "load_issuers",
    "parse_issuers",
]
