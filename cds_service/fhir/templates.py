"""Prefetch templates (CDS Hooks 2.0.1 "Prefetch tokens"): ``{{context.x}}`` and the user
tokens, filled with URL-quoted values; one function, tested directly (house style item 7)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

_TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_CONTEXT_FIELD = re.compile(r"context\.([A-Za-z_][A-Za-z0-9_]*)")
_USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}


def render_template(template: str, context: Mapping[str, Any]) -> str | None:
    """Fill ``{{context.x}}`` and user tokens with URL-quoted values; None if any is missing."""
    if not isinstance(template, str) or not isinstance(context, Mapping):
        return None
    unresolved = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unresolved
        value = _token_value(match.group(1), context)
        try:
            if value is not None:
                # safe="" quotes "/", "&", "?", "#", "," and "|" too: a value stays one value.
                return quote(value, safe="")
        except UnicodeEncodeError:  # a lone surrogate, which JSON's "\ud800" can carry
            pass
        unresolved = True
        return ""

    rendered = _TOKEN.sub(substitute, template)
    if unresolved or "{{" in rendered or "}}" in rendered:
        return None
    return rendered


def _token_value(token: str, context: Mapping[str, Any]) -> str | None:
    field = _CONTEXT_FIELD.fullmatch(token)
    if field:
        value = context.get(field.group(1))
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None
        # An empty id would turn a read ("Patient/") into a search of every patient.
        return str(value) or None
    resource_type = _USER_TOKENS.get(token)
    user_id = context.get("userId")
    if resource_type is None or not isinstance(user_id, str):
        return None
    found_type, slash, found_id = user_id.partition("/")
    if slash and found_type == resource_type and found_id and "/" not in found_id:
        return found_id
    return None
