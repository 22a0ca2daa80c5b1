"""The OpenAPI 3.1 description of the HTTP interface, generated from the JSON Schemas we validate.

Nothing here restates a payload shape: every request and response body refers to a schema file in
``cds_service/schemas/`` (copied into ``components.schemas`` with its ``$defs`` lifted beside it
and its ``#/$defs/...`` references rewritten), so the description and the validation cannot drift.
Hook paths are listed per service, with the hook name fixed and the matching context schema, as
the pipeline checks them. Security is declared only when the service runs with JWT auth.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from cds_service.schemas import CONTEXT_SCHEMAS, SCHEMA_NAMES
from cds_service.services import ServiceDefinition

OPENAPI_VERSION = "3.1.0"
_REF = "#/components/schemas/"
_LOCAL = "#/$defs/"
_DROP = ("$schema", "$id")

OPERATION_OUTCOME: dict[str, Any] = {
    "type": "object",
    "description": "Every error body: a FHIR R4 OperationOutcome whose diagnostics never echo "
    "request values.",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code", "diagnostics"],
                "properties": {
                    "severity": {"const": "error"},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string"},
                },
            },
        },
    },
}
_STORED = {
    "type": "object",
    "required": ["stored"],
    "properties": {"stored": {"type": "integer", "minimum": 0}},
}
_STATUS = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string"}, "cards": {"type": "integer"}},
}


def _read(name: str) -> dict[str, Any]:
    text = resources.files("cds_service.schemas").joinpath(f"{name}.schema.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def _rewrite(node: Any, prefix: str) -> Any:
    """Copy ``node`` with ``#/$defs/x`` references pointing at ``components.schemas.<prefix>.x``."""
    if isinstance(node, dict):
        out = {k: _rewrite(v, prefix) for k, v in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_LOCAL):
            out["$ref"] = f"{_REF}{prefix}.{ref[len(_LOCAL) :]}"
        return out
    if isinstance(node, list):
        return [_rewrite(v, prefix) for v in node]
    return node


def component_schemas() -> dict[str, Any]:
    """Every schema file as ``<name>`` plus its definitions as ``<name>.<def>``."""
    components: dict[str, Any] = {}
    for name in SCHEMA_NAMES:
        schema = {k: v for k, v in _read(name).items() if k not in _DROP}
        defs = schema.pop("$defs", {})
        components[name] = _rewrite(schema, name)
        for def_name, definition in defs.items():
            components[f"{name}.{def_name}"] = _rewrite(definition, name)
    components["OperationOutcome"] = copy.deepcopy(OPERATION_OUTCOME)
    return components


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": _REF + name}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Not JSON, not a valid request, or a hook this service does not answer",
        401: "Missing or failed EHR JWT",
        404: "Unknown service",
        405: "Method not allowed",
        412: "Patient or conditions neither in prefetch nor fetchable",
        413: "Request body larger than CDS_MAX_BODY_BYTES",
        415: "A Content-Encoding (send the body uncompressed); with CDS_AUTH_MODE=off, also a "
        "Content-Type that is not application/json",
        503: "The database cannot record this now; retry after Retry-After seconds",
    }
    return {str(s): _json(_ref("OperationOutcome"), text[s]) for s in statuses}


def _hook_body(service: ServiceDefinition) -> dict[str, Any]:
    context = CONTEXT_SCHEMAS[service.hook]
    return {
        "allOf": [
            _ref("hook-request"),
            {
                "properties": {
                    "hook": {"const": service.hook},
                    "context": _ref(context),
                    # Only the keys this service asks for are judged; others are ignored.
                    "prefetch": {
                        "properties": {
                            key: {"type": ["object", "null"]} for key in sorted(service.prefetch)
                        }
                    },
                }
            },
        ]
    }


def _service_paths(
    service: ServiceDefinition, security: dict[str, Any], protected: dict[str, Any]
) -> dict[str, Any]:
    """The hook call and feedback paths of one service."""
    return {
        f"/cds-services/{service.id}": {
            "post": {
                "operationId": f"call-{service.id}",
                "summary": f"{service.title} ({service.hook} hook)",
                **security,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _hook_body(service)}},
                },
                "responses": {
                    "200": _json(_ref("cds-response"), "Cards (possibly none)"),
                    **_errors(400, 412, 413),
                    **protected,
                },
            }
        },
        f"/cds-services/{service.id}/feedback": {
            "post": {
                "operationId": f"feedback-{service.id}",
                "summary": "Feedback on cards; stored before the 200",
                **security,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("feedback")}},
                },
                "responses": {
                    "200": _json(_STORED, "Number of entries stored"),
                    **_errors(400, 413, 503),
                    **protected,
                },
            }
        },
    }


def build_openapi(
    services: Iterable[ServiceDefinition], *, version: str, auth: bool
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for these services; ``auth`` adds the bearer-JWT requirement."""
    # With auth on, a token's replay record may fail to be written (503); with it off, every
    # POST must be JSON (415). A compressed body is 415 either way.
    protected = _errors(401, 415, 503) if auth else _errors(415)
    security: dict[str, Any] = {"security": [{"ehrJwt": []}]} if auth else {}
    paths: dict[str, Any] = {
        "/cds-services": {
            "get": {
                "operationId": "discovery",
                "summary": "CDS Hooks discovery",
                **security,
                "responses": {
                    "200": _json(_ref("discovery"), "The services"),
                    **(_errors(401, 503) if auth else {}),
                },
            }
        }
    }
    for service in services:
        paths |= _service_paths(service, security, protected)
    paths["/healthz"] = {
        "get": {"operationId": "healthz", "responses": {"200": _json(_STATUS, "Alive")}}
    }
    paths["/readyz"] = {
        "get": {
            "operationId": "readyz",
            "responses": {
                "200": _json(_STATUS, "Cards loaded and database reachable"),
                "503": _json(_STATUS, "Not ready"),
            },
        }
    }
    components: dict[str, Any] = {"schemas": component_schemas()}
    if auth:
        components["securitySchemes"] = {
            "ehrJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        }
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Eczema CDS Hooks service",
            "version": version,
            "description": "CDS Hooks 2.0.1 service; bodies are described by the JSON Schemas "
            "the service validates with (cds_service/schemas).",
        },
        "paths": paths,
        "components": components,
    }
