"""Shared test helpers: where the spec examples live, and small payload builders."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.conftest import REFERENCE

EXAMPLES_DIR = REFERENCE / "cds-hooks-spec-examples"
REQUIREMENTS_CSV = REFERENCE / "cds-hooks-requirements" / "cds-hooks_2.0_requirements.csv"


def load_example(relative: str) -> Any:
    """Load one spec example JSON file (vendored; a missing file fails the test)."""
    return json.loads((EXAMPLES_DIR / relative).read_text(encoding="utf-8"))


def wrap_context(hook: str, context: dict[str, Any]) -> dict[str, Any]:
    """Wrap a hook context into a minimal full request."""
    return {"hook": hook, "hookInstance": "test-hook-instance", "context": context}


def set_path(document: Any, path: list[str | int], value: Any) -> Any:
    """Return a deep copy of ``document`` with ``value`` set at ``path``."""
    result = copy.deepcopy(document)
    target = result
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = copy.deepcopy(value)
    return result


def drop_path(document: Any, path: list[str | int]) -> Any:
    """Return a deep copy of ``document`` without the member at ``path``."""
    result = copy.deepcopy(document)
    target = result
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return result


def sandbox_order_select_request() -> dict[str, Any]:
    """An order-select call as the CDS Hooks Sandbox sends it (non-conformant draft)."""
    return {
        "hookInstance": "6d2f4c1e-6a4f-4a43-9a53-1c1f0f6f1c2b",
        "hook": "order-select",
        "fhirServer": "http://localhost:8081/fhir",
        "context": {
            "userId": "Practitioner/COREPRACTITIONER1",
            "patientId": "ad-child-1",
            "selections": ["MedicationRequest/request-123"],
            "draftOrders": {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "MedicationRequest",
                            "id": "request-123",
                            "status": "draft",
                            "subject": {"reference": "Patient/ad-child-1"},
                            "authoredOn": "2025-01-01",
                            "category": {"coding": [{"code": "outpatient"}]},
                            "reasonCode": {"coding": [{"code": "24079001"}]},
                        }
                    }
                ],
            },
        },
    }


def full_response() -> dict[str, Any]:
    """A response using every card feature the way this service emits it."""
    return {
        "cards": [
            {
                "uuid": "0b4f1c7e-1b9a-4c53-9f0e-5f2f8a7a1d01",
                "summary": "Consider a lower-potency topical corticosteroid on the face",
                "detail": "Guideline text in **markdown**.",
                "indicator": "warning",
                "source": {
                    "label": "AD prescribing guidance",
                    "url": "https://example.org/guideline",
                    "icon": "https://example.org/icon-100.png",
                    "topic": {"system": "https://example.org/rules", "code": "AD-TCS-FACE"},
                },
                "suggestions": [
                    {
                        "label": "Switch to hydrocortisone 1% cream",
                        "uuid": "0b4f1c7e-1b9a-4c53-9f0e-5f2f8a7a1d02",
                        "isRecommended": True,
                        "actions": [
                            {
                                "type": "delete",
                                "description": "Remove the clobetasol draft",
                                "resourceId": "MedicationRequest/request-123",
                            },
                            {
                                "type": "create",
                                "description": "Order hydrocortisone 1% cream",
                                "resource": {
                                    "resourceType": "MedicationRequest",
                                    "status": "draft",
                                    "intent": "order",
                                },
                            },
                        ],
                    }
                ],
                "selectionBehavior": "at-most-one",
                "overrideReasons": [
                    {
                        "system": "https://example.org/override",
                        "code": "specialist",
                        "display": "Directed by a dermatologist",
                    }
                ],
                "links": [
                    {"label": "Guideline", "url": "https://example.org/g", "type": "absolute"},
                    {
                        "label": "Dosing app",
                        "url": "https://app.example.org/launch",
                        "type": "smart",
                        "appContext": "drug=123",
                        "autolaunchable": False,
                    },
                ],
                "extension": {"org.example.rule": "AD-TCS-FACE"},
            }
        ]
    }
