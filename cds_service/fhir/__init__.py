"""FHIR data access: prefetch templates and states, and a small bounded FHIR client."""

from cds_service.fhir.client import (
    Deadline,
    FhirClient,
    FhirError,
    FhirHttpError,
    FhirResponseError,
    FhirTimeout,
)
from cds_service.fhir.medications import resolve_medications
from cds_service.fhir.prefetch import (
    KeyState,
    PrefetchUnavailable,
    ResolvedData,
    client_for_request,
    render_template,
    resolve_prefetch,
)

__all__ = [
    "Deadline",
    "FhirClient",
    "FhirError",
    "FhirHttpError",
    "FhirResponseError",
    "FhirTimeout",
    "KeyState",
    "PrefetchUnavailable",
    "ResolvedData",
    "client_for_request",
    "render_template",
    "resolve_medications",
    "resolve_prefetch",
]
