"""Parse a request body: msgspec's decoder first, the standard library's as the referee.

``msgspec.json.decode`` builds the same dicts, lists, strings and numbers as ``json.loads``
in about two thirds of the time on large charts. It is stricter (UTF-8 only, no NaN or
Infinity, no byte-order mark, no numbers beyond a double), so any body it refuses goes to
``json.loads`` unchanged: what is accepted or rejected, and what it parses to, is exactly what
the standard library decides, except that a lone surrogate (``"\\ud800"``, which both accept)
becomes U+FFFD: nothing downstream (UTF-8 encoders, log handlers, SQLite, jsonschema-rs)
can carry one, and no FHIR id, code or text is a lone surrogate (`cds_service/text.py`).
"""

from __future__ import annotations

import json
from typing import Any, TypedDict, cast

import msgspec

from cds_service.fhir.elements import project
from cds_service.text import may_hold_surrogates, scrub

PARSER = f"msgspec {msgspec.__version__} (json.loads for what it refuses)"
_decode = msgspec.json.Decoder().decode


def loads(raw: bytes) -> Any:
    """The JSON value of `raw`; ValueError or RecursionError when it is not JSON."""
    try:
        value = _decode(raw)
    except (msgspec.MsgspecError, RecursionError):
        # The standard library decides: it may accept (a BOM, UTF-16) or raise.
        return scrub(json.loads(raw))
    return scrub(value) if may_hold_surrogates(raw) else value


# Prefetch keys whose object value is kept as undecoded bytes (msgspec.Raw) by `loads_hook`:
# Observations are 60 % of a chart and read only by a few rules on a few drafts.
LAZY_PREFETCH_KEYS = frozenset({"observations"})
_members = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode


def loads_hook(raw: bytes) -> Any:
    """Like `loads`, but an object under a `LAZY_PREFETCH_KEYS` prefetch key stays msgspec.Raw
    and the other prefetch values keep only the elements the service reads (`fhir/elements.py`).

    Members other than the CDS Hooks request's own are not kept (nothing reads them and the
    schema allows them). Anything unexpected (not an object, a prefetch that is not an
    object, whatever msgspec refuses) gives exactly what `loads` gives, and so does a body
    that may hold a lone surrogate (decoded whole, then scrubbed: no bytes left for later).
    """
    if may_hold_surrogates(raw):
        return loads(raw)
    try:
        try:  # one pass: the envelope's members decoded, each prefetch value left as bytes
            body = cast(dict[str, Any], _envelope(raw))
            if "prefetch" in body:
                body["prefetch"] = _prefetch(body["prefetch"])
            return body
        except msgspec.ValidationError:  # a prefetch that is not an object, or no object
            body = {}
            for name, value in _members(raw).items():
                body[name] = _prefetch(_members(value)) if name == "prefetch" else _decode(value)
            return body
    except (msgspec.MsgspecError, RecursionError):
        return loads(raw)


def _prefetch(values: dict[str, msgspec.Raw]) -> dict[str, Any]:
    prefetch: dict[str, Any] = {}
    for key, value in values.items():
        lazy = key in LAZY_PREFETCH_KEYS and memoryview(value)[:1] == b"{"
        prefetch[key] = value if lazy else project(value)
    return prefetch


# The CDS Hooks request members (anything else is not read, and the schema allows it).
class _Envelope(TypedDict, total=False):
    hook: Any
    hookInstance: Any  # noqa: N815  (the spec's names)
    fhirServer: Any  # noqa: N815
    fhirAuthorization: Any  # noqa: N815
    context: Any
    extension: Any
    prefetch: dict[str, msgspec.Raw]


_envelope = msgspec.json.Decoder(_Envelope).decode


def for_schema(body: Any) -> Any:
    """`body` with each msgspec.Raw prefetch value shown as `{}` (it is always an object)."""
    prefetch = body.get("prefetch") if isinstance(body, dict) else None
    if not isinstance(prefetch, dict) or not any(
        isinstance(v, msgspec.Raw) for v in prefetch.values()
    ):
        return body
    shown = {k: {} if isinstance(v, msgspec.Raw) else v for k, v in prefetch.items()}
    return {**body, "prefetch": shown}
