"""Remember which rule issued each card uuid, so feedback can be reported per rule."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from cds_service.runtime import Runtime

log = logging.getLogger("cds_service.cardlog")


def record_issued(rt: Runtime, service_id: str, cards: list[Mapping[str, Any]]) -> None:
    """One INSERT for a response with cards, none without; a failure never costs the cards."""
    if not cards:
        return
    try:
        rt.store.record_cards(service_id, cards, rt.version, rt.clock())
    except SQLAlchemyError as exc:
        metrics = current_app.extensions.get("cds_metrics")
        if metrics is not None:
            metrics.card_log_failures.inc(len(cards))
        log.warning(
            "issued cards not recorded", extra={"service": service_id, "error": type(exc).__name__}
        )
