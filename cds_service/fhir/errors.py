"""Typed FHIR errors; each ``reason`` is a fixed phrase (see client.py)."""

from __future__ import annotations


class FhirError(Exception):
    """A FHIR call failed; ``reason`` is short and holds no patient data, token or URL."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FhirTimeout(FhirError):
    """The deadline passed or a socket timed out."""

    def __init__(self, reason: str = "timeout") -> None:
        super().__init__(reason)


class FhirHttpError(FhirError):
    """The server answered with a 4xx or 5xx status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class FhirResponseError(FhirError):
    """The answer is unusable: not JSON, not a resource, too large, a redirect, an off-host link."""
