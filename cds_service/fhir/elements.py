"""The elements of prefetched FHIR resources the service reads, and a decoder that keeps only them.

A prefetched chart is mostly what no rule reads: ``meta``, ``encounter``, ``requester``,
narrative ``text``, identifiers, names and addresses. `project` decodes a prefetch value
keeping, for the Bundle, its entries and each entry resource, only the top-level elements
listed here (each element whole, whatever is inside it), and of the Reference naming the
resource's patient (``subject``: `picture/identity.py` checks it) only its ``reference``
string, never its ``display`` (often the patient's name). Fewer objects are built and freed, and
the patient's name, address and identifiers are never held.

Anything the typed decoder refuses (an ``entry`` that is not a list of objects, a ``resource``
that is not an object) is decoded in full instead, so what reaches the picture is always what
a full decode gives, less the elements nobody reads. `tests/test_projection.py` checks that
every fixture gets the same answer either way; a new rule that reads a new element must add
it here (the same test fails until it does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

import msgspec

# Per resource type, for the record; the decoder keeps their union for every resource.
READ_ELEMENTS: dict[str, tuple[str, ...]] = {
    # subject / patient (a DSTU2-style Condition, AllergyIntolerance): whose resource it
    # is; picture/identity.py checks them (and `beneficiary` once a rule reads Coverage).
    "Resource": ("resourceType", "id", "subject", "patient"),
    "Bundle": ("type", "link", "entry"),
    # Only its severities are read: an error entry makes the search refetched, not used.
    "OperationOutcome": ("issue",),
    "Patient": ("birthDate", "gender"),
    "Condition": (
        "code",
        "clinicalStatus",
        "verificationStatus",
        "onsetDateTime",
        "onsetPeriod",
        "onsetString",
        "abatementDateTime",
        "abatementPeriod",
        "recordedDate",
        "bodySite",
    ),
    "MedicationRequest": (
        "status",
        "intent",
        "medicationCodeableConcept",
        "medicationReference",
        "contained",
        "authoredOn",
        "dosageInstruction",
        "dispenseRequest",
        "reasonCode",
        "reasonReference",
        "note",
    ),
    # form and ingredient[].strength: read when the code's text gives no strength or vehicle.
    "Medication": ("code", "form", "ingredient"),
    "Observation": (
        "status",
        "code",
        "effectiveDateTime",
        "effectivePeriod",
        "issued",
        "valueQuantity",
        "valueString",
        "valueCodeableConcept",
        "dataAbsentReason",
        # Only whether there are any: a panel with them is a result despite a dataAbsentReason.
        "component",
        "hasMember",
    ),
    "CarePlan": ("status", "code", "category", "activity", "created", "title", "description"),
    "ServiceRequest": ("status", "code", "category", "authoredOn"),
}
KEPT = frozenset(name for names in READ_ELEMENTS.values() for name in names)
ENTRY_KEPT = frozenset({"resource", "fullUrl"})  # fullUrl: medication references by urn:uuid
# Kept as {"reference", "identifier"} only (a Reference's display is often the patient's name).
PATIENT_REFERENCES = frozenset({"subject", "patient", "beneficiary"})


# What picture/identity.py compares for a patient Reference with an identifier and no
# reference: it names someone (an MRN) that no reference confirms is this patient.
BY_IDENTIFIER = "#identifier"


class _Reference(TypedDict, total=False):
    reference: Any
    # Only so identity.py can tell a Reference that names someone by identifier alone
    # (an MRN) from one naming no one; it is never logged or shown.
    identifier: Any


def projector(
    kept: frozenset[str] = KEPT, entry_kept: frozenset[str] = ENTRY_KEPT
) -> Callable[[bytes | msgspec.Raw], Any]:
    """A decoder keeping `kept` elements of a resource, a Bundle and each of its entries'
    resources (a nested resource keeps the same; inside a kept element, everything)."""
    fields = {k: _Reference if k in PATIENT_REFERENCES else Any for k in kept}
    resource = TypedDict("resource", fields, total=False)  # type: ignore[misc]
    entry_types = {k: resource if k == "resource" else Any for k in entry_kept}
    entry = TypedDict("entry", entry_types, total=False)  # type: ignore[misc]
    top_types = {k: list[entry] if k == "entry" else Any for k in kept}
    top = TypedDict("prefetched", top_types, total=False)  # type: ignore[misc]
    projected = msgspec.json.Decoder(top).decode
    full = msgspec.json.Decoder().decode

    def project(raw: bytes | msgspec.Raw) -> Any:
        """The prefetch value with only the kept elements; in full when it is not a JSON
        object of that shape. Raises what msgspec raises for bytes that are not JSON."""
        try:
            return projected(raw)
        except msgspec.ValidationError:
            return full(raw)

    return project


project = projector()
