"""Whose data is it: resources that name another patient never reach the picture.

A resource names its patient in ``subject`` (Condition, MedicationRequest, Observation,
CarePlan, ServiceRequest, ...), ``patient`` (AllergyIntolerance, Immunization, ...) or
``beneficiary`` (Coverage). It is the chart's patient when that reference is
``Patient/<patientId>``, an absolute URL ending so (``/_history/n`` allowed),
``urn:uuid:<patientId>``, or the ``fullUrl`` of a prefetched Patient entry whose id is
``patientId`` (Synthea bundles). Any other reference names someone else: the resource is
dropped and recorded (type and id; a Patient's id is never recorded). So is a resource whose
patient element names someone by ``identifier`` alone (an MRN cannot be matched to
``patientId``, and data that may be another patient's never drives a card). A resource with
no patient element, or one without reference or identifier, is kept: it is the server's
answer to a patient-scoped prefetch query (``Condition?patient={{context.patientId}}``).
A Patient resource is the chart's patient only when its id is ``patientId`` (or it has none).

Only strings are compared, and the usual reference (``Patient/<id>``) is decided by one
dictionary look-up and one equality: this runs once per prefetched resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cds_service.fhir.elements import BY_IDENTIFIER

# Elements that name the resource's patient, in the order they are looked for.
PATIENT_ELEMENTS = ("subject", "patient", "beneficiary")
_ID_LIMIT = 64  # what the trace shows of a dropped resource's id


_UNREADABLE = "#unreadable"  # a patient element or reference of the wrong JSON type


def _named(element: Mapping[str, Any]) -> Any:
    """The Reference's ``reference``; without one, a marker if it names someone by
    ``identifier`` (no reference can confirm that person is this patient); a marker too for
    a ``reference`` that is not a string."""
    ref = element.get("reference")
    if ref is None:
        return BY_IDENTIFIER if element.get("identifier") else None
    return ref if isinstance(ref, str) else _UNREADABLE


class Owner:
    """The chart's patient, and what was dropped for naming another."""

    __slots__ = ("patient_id", "_own", "_bundles", "_urls_read", "dropped")

    def __init__(self, patient_id: str | None, bundles: Iterable[Mapping[str, Any]] = ()) -> None:
        self.patient_id = patient_id
        self._own: set[str] = set()
        if patient_id:
            self._own = {f"Patient/{patient_id}", f"urn:uuid:{patient_id}"}
        self._bundles = bundles  # read for Patient fullUrls only when a urn needs them
        self._urls_read = False
        self.dropped: list[tuple[str, str | None]] = []  # (resourceType, id) of each drop

    def owns(self, res: Mapping[str, Any]) -> bool:
        """True unless `res` names another patient (then it is recorded as dropped)."""
        element = res.get("subject")  # the usual case first: one look-up, one set membership
        if element.__class__ is dict:
            ref = element.get("reference")
            if ref.__class__ is str and ref in self._own:
                return True
            return self.owns_named(res.get("resourceType"), res.get("id"), _named(element))
        for name in PATIENT_ELEMENTS:
            element = res.get(name)
            if element is not None:
                # A patient element that is no Reference object ("Patient/x" as a string, a
                # list) cannot be read as this patient: it counts as someone else's.
                ref = _named(element) if isinstance(element, dict) else _UNREADABLE
                return self.owns_named(res.get("resourceType"), res.get("id"), ref)
        if res.get("resourceType") == "Patient" and self.patient_id:
            rid = res.get("id")
            if rid is not None and rid != self.patient_id:
                self.dropped.append(("Patient", None))
                return False
        return True

    def owns_named(self, rtype: Any, rid: Any, ref: Any) -> bool:
        """True when `ref` (the patient Reference's ``reference``) is absent or names the
        patient; otherwise the resource (`rtype`, `rid`) is recorded as dropped. A reference
        that is no string (a deferred Observation's, read as written) names no one we can
        confirm: dropped, as `owns` drops it."""
        if (
            not self.patient_id
            or ref is None
            or (
                isinstance(ref, str)
                and (ref in self._own or not ref.strip() or self._is_own(ref.strip()))
            )
        ):
            return True
        self.dropped.append(
            (
                rtype[:_ID_LIMIT] if isinstance(rtype, str) else "resource",
                rid[:_ID_LIMIT] if isinstance(rid, str) and rtype != "Patient" else None,
            )
        )
        return False

    def _is_own(self, ref: str) -> bool:
        own = self._own
        if ref in own:
            return True
        if "/_history/" in ref:
            ref = ref.split("/_history/", 1)[0]
            if ref in own:
                return True
        if ref.startswith("urn:"):
            if not self._urls_read:
                self._read_urls()
            return ref in own
        # An absolute URL on any FHIR base: ".../Patient/<id>".
        return ref.endswith(f"/Patient/{self.patient_id}") and "://" in ref

    def _read_urls(self) -> None:
        """Add the fullUrl of every prefetched Patient entry whose id is the patient's."""
        self._urls_read = True
        for bundle in self._bundles:
            entries = bundle.get("entry")
            for entry in entries if isinstance(entries, list) else ():
                res = entry.get("resource") if isinstance(entry, dict) else None
                if (
                    isinstance(res, dict)
                    and res.get("resourceType") == "Patient"
                    and res.get("id") == self.patient_id
                    and isinstance(entry.get("fullUrl"), str)
                ):
                    self._own.add(entry["fullUrl"])

    def described(self) -> list[str]:
        """The drops as ``Type/id`` (``Type`` alone when there is no id, or for a Patient)."""
        return [f"{rtype}/{rid}" if rid else rtype for rtype, rid in self.dropped]
