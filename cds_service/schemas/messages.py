"""Validation messages that name the failing keyword, the schema's values and the JSON path,
never an instance value (it may be patient data or a token): see the package docstring."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import jsonschema

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SAFE_KEY = re.compile(r"[A-Za-z0-9_.:\-]{1,64}\Z")


def _path(root: str, parts: Iterable[Any]) -> str:
    out = [root]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif isinstance(part, str) and _IDENTIFIER.match(part):
            out.append(f".{part}")
        elif isinstance(part, str) and _SAFE_KEY.match(part):
            out.append(f"['{part}']")
        else:  # a key that could carry data: don't echo it
            out.append("[<key>]")
    return "".join(out)


def json_type(value: object) -> str:
    """The JSON type name of a decoded value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "non-JSON value"


def _listing(values: object) -> str:
    items = values if isinstance(values, list) else [values]
    return ", ".join(json.dumps(v) for v in items)


def describe(error: jsonschema.ValidationError, root: str) -> Iterator[str]:
    """Yield value-free messages for one error (``required`` may yield several)."""
    keyword = error.validator
    value: Any = error.validator_value
    instance = error.instance
    path = deque(error.absolute_path)
    comment = error.schema.get("$comment") if isinstance(error.schema, dict) else None
    suffix = f" ({comment})" if isinstance(comment, str) else ""
    here = _path(root, path)

    if keyword == "required" and isinstance(instance, dict):
        for prop in value:
            if prop not in instance:
                yield f"{_path(root, [*path, prop])}: required property missing{suffix}"
        return
    if keyword == "dependentRequired" and isinstance(instance, dict):
        for prop, needed in value.items():
            for dep in needed:
                if prop in instance and dep not in instance:
                    yield f"{_path(root, [*path, dep])}: required when '{prop}' is present{suffix}"
        return

    if keyword == "type":
        expected = " or ".join(value) if isinstance(value, list) else str(value)
        text = f"expected {expected}, got {json_type(instance)}"
    elif keyword == "minLength":
        text = "must not be empty" if value == 1 else f"must be at least {value} characters"
    elif keyword == "maxLength":
        text = f"must be at most {value} characters"
    elif keyword == "minItems":
        text = "must not be an empty array" if value == 1 else f"must have at least {value} items"
    elif keyword == "maxItems":
        text = f"must have at most {value} items"
    elif keyword == "minProperties":
        text = "must not be an empty object" if value == 1 else f"needs {value}+ members"
    elif keyword == "enum":
        text = f"must be one of {_listing(value)}"
    elif keyword == "const":
        text = f"must be {_listing(value)}"
    elif keyword == "pattern":
        text = "has the wrong format"
    elif keyword is None or (keyword == "not" and value in ({}, True)):  # None: `false` schema
        text = "not allowed here"
    elif keyword == "not":
        text = "breaks a rule"
    elif keyword in ("anyOf", "oneOf"):
        text = "matches none of the allowed forms"
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        text = f"fails {keyword} {value}"
    else:
        text = f"fails the '{keyword}' rule"
    yield f"{here}: {text}{suffix}"
