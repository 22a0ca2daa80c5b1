"""POST /cds-services/{id}/feedback: store every entry durably, then answer 200."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Response, g, jsonify
from sqlalchemy.exc import SQLAlchemyError

from cds_service import schemas
from cds_service.api import bp, json_body, runtime, service_or_404
from cds_service.errors import BadRequest, ServiceUnavailable
from cds_service.ops.cardlog import flush_issued

log = logging.getLogger("cds_service.feedback")


@bp.post("/cds-services/<service_id>/feedback")
def feedback(service_id: str) -> Response:
    """Accept the spec's feedback array; committed to the database before the 200."""
    service = service_or_404(service_id)
    body = json_body()
    errors = schemas.validation_errors("feedback", body) or _bad_timestamps(body["feedback"])
    if errors:
        raise BadRequest("Invalid feedback", errors)
    rt = runtime()
    flush_issued(rt.store)  # cards this worker queued are resolvable at once
    try:
        resolved = rt.store.add_resolved(service.id, body["feedback"], now=rt.clock())
    except SQLAlchemyError as exc:
        # One transaction: nothing of this POST was stored, and the answer says so.
        log.error("feedback not stored", extra={"service": service.id, "error": type(exc).__name__})
        raise ServiceUnavailable(
            "Feedback not stored: the database is unavailable; retry"
        ) from None
    g.feedback_resolved = resolved
    unknown = sum(1 for rule_id, _ in resolved if rule_id is None)
    log.info(
        "feedback stored",
        extra={"service": service.id, "entries": len(resolved), "unknown_cards": unknown},
    )
    return jsonify({"stored": len(resolved)})


def _bad_timestamps(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Paths of outcomeTimestamps that match the schema's pattern but are not real instants."""
    bad = []
    for i, entry in enumerate(entries):
        text = entry["outcomeTimestamp"].upper().replace("Z", "+00:00")
        if text[17:19] == "60":  # RFC 3339 allows a leap second; datetime does not
            text = f"{text[:17]}59{text[19:]}"
        try:
            datetime.fromisoformat(text)
        except ValueError:
            bad.append(f"$.feedback[{i}].outcomeTimestamp: not a valid date-time")
    return bad
