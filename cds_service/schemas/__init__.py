"""JSON Schemas (draft 2020-12) for CDS Hooks 2.0.1 payloads, compiled once, with safe messages.

There is no official JSON Schema for CDS Hooks; these files are written from HL7's logical
models (hl7.fhir.uv.tools CDSHooks*) and the 2.0.1 text. Received payloads (requests, feedback)
are checked leniently, emitted payloads (responses, discovery) strictly.

Messages never contain instance values (they may be patient data or tokens): they are built
from the failing keyword, the schema's own values and the instance path. Object keys in a path
are shown only when they look like identifiers (``prefetch.patient``, ``['com.example.x']``);
any other key is shown as ``[<key>]``. A ``$comment`` on the subschema that fails is appended
to the message, so conditional rules explain themselves.

``format`` is an annotation only (no format checker: its results would depend on optional
packages); URLs and timestamps are checked with ``pattern``. Patterns end with
``(?![\\s\\S])`` instead of ``$`` because Python's ``$`` also matches before a final newline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

import jsonschema
import jsonschema_rs
from jsonschema.protocols import Validator

from .messages import describe, json_type

__all__ = [
    "CONTEXT_SCHEMAS",
    "SCHEMA_NAMES",
    "SchemaLoadError",
    "hook_request_errors",
    "json_type",
    "load_all",
    "validation_errors",
    "validator",
]

_SUFFIX = ".schema.json"

SCHEMA_NAMES: tuple[str, ...] = (
    "hook-request",
    "context-patient-view",
    "context-order-select",
    "context-order-sign",
    "cds-response",
    "discovery",
    "feedback",
)

CONTEXT_SCHEMAS: Mapping[str, str] = MappingProxyType(
    {
        "patient-view": "context-patient-view",
        "order-select": "context-order-select",
        "order-sign": "context-order-sign",
    }
)
"""Hook name -> schema for that hook's ``context`` object (hooks this service serves)."""


class SchemaLoadError(RuntimeError):
    """A schema file is missing, is not JSON, or is not a valid draft 2020-12 schema."""


@cache
def validator(name: str) -> Validator:
    """Return the compiled validator for schema ``name`` (e.g. ``"hook-request"``), cached."""
    if name not in SCHEMA_NAMES:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    return _compile(name + _SUFFIX)


def _compile(filename: str) -> Validator:
    try:
        text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
        schema = json.loads(text)
        cls = jsonschema.validators.validator_for(schema, default=None)
        if cls is not jsonschema.Draft202012Validator:
            raise ValueError("$schema must be https://json-schema.org/draft/2020-12/schema")
        cls.check_schema(schema)
        compiled: Validator = cls(schema)
    except Exception as exc:
        raise SchemaLoadError(f"{filename}: {exc}") from exc
    return compiled


@cache
def fast_validator(name: str) -> jsonschema_rs.Validator:
    """jsonschema-rs's draft 2020-12 validator for schema ``name``: the "is it valid?" answer.

    It takes ~3 us where Python's jsonschema takes ~150 us, and stays the same on a
    10,000-resource chart. When it finds a problem, Python's jsonschema names it (its errors
    carry the paths and keywords the messages are built from) and has the last word: an
    instance it finds no error in is valid. `tests/schemas/test_fast_validator.py` holds the
    two to the same verdicts.
    """
    return jsonschema_rs.validator_for(validator(name).schema, validate_formats=False)


def load_all() -> None:
    """Compile every schema file in this package (call at start-up; fails with the file name)."""
    files = {
        entry.name
        for entry in resources.files(__package__).iterdir()
        if entry.name.endswith(_SUFFIX)
    }
    unlisted = sorted(files - {n + _SUFFIX for n in SCHEMA_NAMES})
    if unlisted:
        raise SchemaLoadError(f"{unlisted[0]}: not listed in SCHEMA_NAMES")
    for name in SCHEMA_NAMES:
        validator(name)
        try:
            fast_validator(name)
        except Exception as exc:
            raise SchemaLoadError(f"{name}{_SUFFIX}: {exc}") from exc


def validation_errors(
    name: str, instance: object, limit: int = 10, *, root: str = "$"
) -> list[str]:
    """Return up to ``limit`` messages like ``"$.context.patientId: required property missing"``.

    An empty list means the instance is valid. ``root`` prefixes the paths (e.g. ``"$.context"``
    when validating a request's context on its own).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if fast_validator(name).is_valid(instance):
        return []
    messages: list[str] = []
    for error in validator(name).iter_errors(instance):
        for message in describe(error, root):
            if message not in messages:
                messages.append(message)
                if len(messages) >= limit:
                    return messages
    return messages


def hook_request_errors(body: object, limit: int = 10) -> list[str]:
    """Validate a hook call body: the envelope, then its context if the hook is one we serve.

    Hooks without a context schema (e.g. the deprecated ``medication-prescribe``) get the
    envelope check only; whether the hook is served by a given service is the caller's check.
    """
    messages = validation_errors("hook-request", body, limit)
    if isinstance(body, dict) and isinstance(body.get("context"), dict):
        schema = CONTEXT_SCHEMAS.get(body["hook"]) if isinstance(body.get("hook"), str) else None
        if schema is not None and len(messages) < limit:
            messages += validation_errors(
                schema, body["context"], limit - len(messages), root="$.context"
            )
    return messages
