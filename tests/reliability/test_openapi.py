"""/openapi.json: a valid OpenAPI 3.1 document built from the schema files, so they cannot drift."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
from schemathesis.specs.openapi.definitions import OPENAPI_31

from cds_service.openapi import build_openapi, component_schemas
from cds_service.schemas import CONTEXT_SCHEMAS, SCHEMA_NAMES


def _inline(components: dict[str, Any], name: str) -> dict[str, Any]:
    """Undo the generation: put ``<name>.<def>`` back under ``$defs`` with local references."""
    prefix = f"#/components/schemas/{name}."

    def back(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: back(v) for k, v in node.items()}
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith(prefix):
                out["$ref"] = "#/$defs/" + node["$ref"][len(prefix) :]
            return out
        return [back(v) for v in node] if isinstance(node, list) else node

    schema = back(components[name])
    defs = {k[len(name) + 1 :]: back(v) for k, v in components.items() if k.startswith(name + ".")}
    if defs:
        schema["$defs"] = defs
    return schema


def test_every_schema_file_is_in_the_description_unchanged() -> None:
    components = component_schemas()
    for name in SCHEMA_NAMES:
        text = resources.files("cds_service.schemas").joinpath(f"{name}.schema.json").read_text()
        original = {k: v for k, v in json.loads(text).items() if k not in ("$id", "$schema")}
        assert _inline(components, name) == original, name


def test_served_description_is_valid_openapi_3_1(module_client) -> None:
    document = module_client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    errors = [e.message for e in jsonschema.Draft202012Validator(OPENAPI_31).iter_errors(document)]
    assert errors == []


def test_every_reference_resolves(module_client) -> None:
    document = module_client.get("/openapi.json").get_json()
    names = set(document["components"]["schemas"])
    refs = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert {r.removeprefix("#/components/schemas/") for r in refs} <= names


def test_paths_follow_the_services_in_discovery(module_client) -> None:
    document = module_client.get("/openapi.json").get_json()
    services = module_client.get("/cds-services").get_json()["services"]
    for service in services:
        post = document["paths"][f"/cds-services/{service['id']}"]["post"]
        body = post["requestBody"]["content"]["application/json"]["schema"]["allOf"]
        assert body[1]["properties"]["hook"] == {"const": service["hook"]}
        context = body[1]["properties"]["context"]["$ref"]
        assert context.endswith(CONTEXT_SCHEMAS[service["hook"]])
        assert f"/cds-services/{service['id']}/feedback" in document["paths"]
    hook_paths = [p for p in document["paths"] if p.count("/") == 2 and p != "/cds-services"]
    assert len(hook_paths) == len(services)


def test_security_is_declared_only_with_jwt_auth(app) -> None:
    services = app.extensions["cds_runtime"].services.values()
    secured = build_openapi(services, version="1", auth=True)
    open_doc = build_openapi(services, version="1", auth=False)
    assert secured["components"]["securitySchemes"]["ehrJwt"]["scheme"] == "bearer"
    assert secured["paths"]["/cds-services"]["get"]["security"] == [{"ehrJwt": []}]
    assert "security" not in open_doc["paths"]["/cds-services"]["get"]
    assert "securitySchemes" not in open_doc["components"]
