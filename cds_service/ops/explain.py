"""`explain`: why each rule of a service fired or stayed silent for one hook request.

Runs the real pipeline in process (no HTTP, an in-memory database). Unless ``fetch`` is
asked for, ``fhirServer`` and ``fhirAuthorization`` are dropped, so only the request's own
prefetch is used and nothing touches the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cds_service.errors import ServiceError
from cds_service.pipeline import run_hook
from cds_service.runtime import Runtime
from cds_service.settings import Settings

OFFLINE_DROPS = ("fhirServer", "fhirAuthorization")


@dataclass
class Explanation:
    """One service's answer to the request: its decision trace and cards, or the error."""

    service: str
    hook: str
    trace: list[dict[str, str]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready view."""
        out: dict[str, Any] = {"service": self.service, "hook": self.hook}
        if self.error:
            out["error"] = self.error
        else:
            out.update(rules=self.trace, data=self.sources, cards=self.cards)
        return out


def parse_now(value: str | None) -> datetime | None:
    """An ISO 8601 time (`2026-11-22T12:00Z`); a time without offset is taken as UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def start_runtime(settings: Settings, now: datetime | None) -> Runtime:
    """A runtime with an in-memory database and, when given, a pinned clock."""
    offline = settings.with_overrides(database_url="sqlite://")
    clock: Callable[[], datetime] = (lambda: now) if now else (lambda: datetime.now(UTC))
    return Runtime.start(offline, clock=clock)


def explain(
    rt: Runtime, body: Any, *, service_id: str | None = None, fetch: bool = False
) -> list[Explanation]:
    """Run every service answering the request's hook (or the one named) and explain it."""
    if not isinstance(body, dict):
        raise ValueError("the request must be a JSON object")
    if not fetch:
        body = {k: v for k, v in body.items() if k not in OFFLINE_DROPS}
    if service_id is not None:
        if service_id not in rt.services:
            raise ValueError(f"unknown service {service_id!r}; known: {', '.join(rt.services)}")
        services = [rt.services[service_id]]
    else:
        services = [s for s in rt.services.values() if s.hook == body.get("hook")]
        if not services:
            raise ValueError(f"no service answers the hook {body.get('hook')!r}")
    results = []
    for service in services:
        item = Explanation(service=service.id, hook=service.hook)
        try:
            result = run_hook(rt, service, body)
        except ServiceError as exc:
            item.error = {"status": exc.status, "message": exc.message, "details": exc.details}
        else:
            item.trace, item.sources = result.trace, result.sources
            item.cards = result.body["cards"]
        results.append(item)
    return results


def render_text(items: list[Explanation], *, version: str, now: datetime, offline: bool) -> str:
    """The explanation as text for a terminal."""
    lines = [f"catalogue {version}; now {now.isoformat()}"]
    if offline:
        lines.append("offline: prefetch only (fhirServer ignored; --fetch to use it)")
    for item in items:
        lines += ["", f"== {item.service} ({item.hook})"]
        if item.error:
            lines.append(f"error {item.error['status']}: {item.error['message']}")
            lines += [f"  - {d}" for d in item.error["details"]]
            continue
        data = ", ".join(f"{k} {v}" for k, v in item.sources.items())
        lines.append(f"data: {data}")
        lines.append("rules:")
        for step in item.trace:
            lines.append(f"  {step['outcome']:<6} {step['rule']}: {step['why']}")
        lines.append(f"cards: {len(item.cards)}")
        for card in item.cards:
            lines += _card_lines(card)
    return "\n".join(lines) + "\n"


def _card_lines(card: dict[str, Any]) -> list[str]:
    source = card["source"]
    out = [
        f"  [{card['indicator']}] {card['summary']}",
        f"    rule {source['topic']['code']}; source: {source['label']} <{source['url']}>",
    ]
    for line in card.get("detail", "").splitlines():
        out.append(f"    | {line}")
    for suggestion in card.get("suggestions", []):
        flag = " (recommended)" if suggestion.get("isRecommended") else ""
        kinds = ", ".join(a["type"] for a in suggestion["actions"])
        out.append(f"    -> {suggestion['label']}{flag} [{kinds}]")
    return out
