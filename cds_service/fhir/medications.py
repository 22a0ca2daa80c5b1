"""Resolve ``medicationReference`` of (draft) MedicationRequests to Medication resources."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from cds_service.fhir.bundle import entry_list, is_resource
from cds_service.fhir.client import Deadline, FhirClient
from cds_service.fhir.concurrency import run_all

# "Medication/{id}", optionally with a base in front and a version behind; ids per FHIR R4.
_MEDICATION_REF = re.compile(
    r"(?:(?P<base>.+)/)?Medication/(?P<id>[A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?"
)


def resolve_medications(
    requests_: Iterable[Mapping[str, Any]],
    known: Iterable[Mapping[str, Any]],
    *,
    client: FhirClient | None,
    deadline: Deadline,
    max_workers: int = 4,
) -> dict[str, dict[str, Any]]:
    """Map each resolvable medication reference, as written, to its Medication resource.

    Looked up in ``known`` resources and Bundles (by id and by entry fullUrl), then read as
    Medication/{id} from ``client``. References that cannot be resolved are left out, and so
    are local ones ("#id"): each names the citing request's own contained Medication, and two
    requests may both contain a "#med" that is a different drug, so they are not keyed here
    (`contained_medication` reads them from the request).
    """
    index: dict[str, dict[str, Any]] | None = None  # built when the first reference needs it
    found: dict[str, dict[str, Any]] = {}
    wanted: dict[str, list[str]] = {}  # Medication id to read -> references written for it
    for request in requests_:
        if request.__class__ is dict:  # the usual case, tested first: once per order
            if "medicationReference" not in request and "medication" not in request:
                continue  # most orders carry a medicationCodeableConcept: nothing to resolve
        elif not isinstance(request, Mapping) or (
            "medicationReference" not in request and "medication" not in request
        ):
            continue
        reference = _reference(request)
        if reference is None or reference in found or reference.startswith("#"):
            continue  # "#id" names the request's own contained Medication: `contained_medication`
        if index is None:
            index = _index(known)
        medication = index.get(reference)  # also catches "urn:uuid:..." fullUrls
        match = _MEDICATION_REF.fullmatch(reference)
        if medication is None and match is None:
            continue
        base = match.group("base") if match else None
        own = base is None or (client is not None and base.rstrip("/") == client.base_url)
        if medication is None and match and own:
            medication = index.get(f"Medication/{match['id']}")
        if medication is not None:
            found[reference] = medication
        elif match and own and client is not None:
            refs = wanted.setdefault(match["id"], [])
            if reference not in refs:
                refs.append(reference)

    if client is not None and wanted:
        jobs: dict[str, Callable[[], dict[str, Any]]] = {
            med_id: partial(client.get, f"Medication/{med_id}", deadline) for med_id in wanted
        }
        for med_id, result in run_all(jobs, deadline, max_workers).items():
            if isinstance(result, dict) and result.get("resourceType") == "Medication":
                for reference in wanted[med_id]:
                    found[reference] = result
    return found


def _reference(request: Mapping[str, Any]) -> str | None:
    holder = request.get("medicationReference")
    if not isinstance(holder, Mapping):
        # R5 shape: medication is a CodeableReference.
        medication = request.get("medication")
        holder = medication.get("reference") if isinstance(medication, Mapping) else None
    reference = holder.get("reference") if isinstance(holder, Mapping) else None
    return reference if isinstance(reference, str) and reference else None


def contained_medication(request: Mapping[str, Any], reference: str) -> dict[str, Any] | None:
    """The Medication in `request`'s own ``contained`` that a local reference ("#id") names."""
    local_id = reference[1:] if reference.startswith("#") else ""
    contained = request.get("contained")
    if not local_id or not isinstance(contained, list):
        return None
    for resource in contained:
        if _is_medication(resource) and resource.get("id") == local_id:
            return resource
    return None


def _index(known: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Medications by "Medication/{id}", by fullUrl, and by "Medication/{id}" at a fullUrl's end."""
    index: dict[str, dict[str, Any]] = {}
    for item in known:  # every prefetched resource: one dict lookup each
        kind = item.get("resourceType") if isinstance(item, dict) else None
        if kind == "Medication":
            _add(index, item, None)
        elif kind == "Bundle":
            for entry in entry_list(item):
                if isinstance(entry, dict) and _is_medication(entry.get("resource")):
                    full_url = entry.get("fullUrl")
                    _add(index, entry["resource"], full_url if isinstance(full_url, str) else None)
    return index


def _add(index: dict[str, dict[str, Any]], medication: Any, full_url: str | None) -> None:
    med_id = medication.get("id")
    if isinstance(med_id, str) and med_id:
        index.setdefault(f"Medication/{med_id}", medication)
    if full_url:
        index.setdefault(full_url, medication)
        match = _MEDICATION_REF.fullmatch(full_url)
        if match:
            index.setdefault(f"Medication/{match['id']}", medication)


def _is_medication(value: object) -> bool:
    return is_resource(value) and value["resourceType"] == "Medication"  # type: ignore[index]
