"""Caller authentication: the EHR's signed JWT, trusted issuers, key cache and replay store."""

from cds_service.auth.issuers import Issuer, IssuerConfigError, load_issuers, parse_issuers
from cds_service.auth.jwks import JwksCache
from cds_service.auth.replay import ReplayStore

__all__ = [
    "Issuer",
    "IssuerConfigError",
    "JwksCache",
    "ReplayStore",
    "load_issuers",
    "parse_issuers",
]
