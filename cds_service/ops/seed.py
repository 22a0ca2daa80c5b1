"""A FHIR transaction Bundle holding a fixture's prefetch resources, to seed a test server.

Each resource is PUT by its id, so loading twice is harmless. Only resources with an id are
included; the draft order of an order-select/sign fixture is the EHR's, not the server's.
"""

from __future__ import annotations

from typing import Any


def seed_bundle(request: dict[str, Any]) -> dict[str, Any]:
    """The transaction Bundle for one hook request's prefetch."""
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    for value in (request.get("prefetch") or {}).values():
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Bundle":
            items = [e.get("resource") for e in value.get("entry") or [] if isinstance(e, dict)]
        else:
            items = [value]
        for item in items:
            if isinstance(item, dict) and item.get("resourceType") and item.get("id"):
                resources[(item["resourceType"], item["id"])] = item
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": res, "request": {"method": "PUT", "url": f"{kind}/{rid}"}}
            for (kind, rid), res in resources.items()
        ],
    }
