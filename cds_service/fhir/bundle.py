"""Read-only helpers for FHIR resources and Bundles held as plain JSON dicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_ERROR_SEVERITIES = frozenset({"error", "fatal"})


def is_resource(value: object) -> bool:
    """True for a JSON object with a non-empty string ``resourceType``."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("resourceType"), str)
        and bool(value["resourceType"])
    )


def is_bundle(value: object) -> bool:
    """True for a Bundle resource."""
    return is_resource(value) and value["resourceType"] == "Bundle"  # type: ignore[index]


def entry_list(bundle: Mapping[str, Any]) -> list[Any]:
    """The Bundle's raw ``entry`` array; an absent or malformed one counts as empty."""
    entries = bundle.get("entry")
    return entries if isinstance(entries, list) else []


def entry_resources(bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every entry ``resource`` that is a FHIR resource, OperationOutcomes included."""
    resources: list[dict[str, Any]] = []
    for entry in entry_list(bundle):  # is_resource, inlined: this runs once per prefetched entry
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            kind = resource.get("resourceType")
            if isinstance(kind, str) and kind:
                resources.append(resource)
    return resources


def split_outcomes(bundle: Mapping[str, Any]) -> tuple[tuple[dict[str, Any], ...], bool]:
    """The entry resources other than OperationOutcomes, and whether one of those reports an
    error (one pass: `flatten` and `is_error_outcome` together). A searchset's information or
    warning outcome (`search.mode: outcome`, e.g. "results limited") leaves its data usable."""
    resources: list[dict[str, Any]] = []
    error = False
    for entry in entry_list(bundle):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            kind = resource.get("resourceType")
            if isinstance(kind, str) and kind:
                if kind == "OperationOutcome":
                    error = error or is_error_outcome(resource)
                else:
                    resources.append(resource)
    return tuple(resources), error


def outcomes(bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The OperationOutcome entries of a Bundle."""
    return [r for r in entry_resources(bundle) if r["resourceType"] == "OperationOutcome"]


def is_error_outcome(outcome: Mapping[str, Any]) -> bool:
    """True when an OperationOutcome has an issue of severity error or fatal."""
    issues = outcome.get("issue")
    if not isinstance(issues, list):
        return False
    return any(isinstance(i, dict) and i.get("severity") in _ERROR_SEVERITIES for i in issues)


def next_link(bundle: Mapping[str, Any]) -> str | None:
    """The URL of the Bundle's ``link[relation=next]``, if any."""
    return _link(bundle, "next")


def self_link(bundle: Mapping[str, Any]) -> str | None:
    """The URL of the Bundle's ``link[relation=self]``, if any."""
    return _link(bundle, "self")


def _link(bundle: Mapping[str, Any], relation: str) -> str | None:
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == relation:
            url = link.get("url")
            if isinstance(url, str) and url:
                return url
    return None


def flatten(value: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """A resource as a tuple of resources: Bundle entries (without OperationOutcomes) or itself."""
    if value.get("resourceType") == "Bundle":
        return tuple(r for r in entry_resources(value) if r["resourceType"] != "OperationOutcome")
    if value.get("resourceType") == "OperationOutcome":
        return ()
    return (dict(value),)
