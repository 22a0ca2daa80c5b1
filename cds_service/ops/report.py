"""The feedback report: per rule id and catalogue version, cards shown, accepted, overridden.

"Shown" counts issued cards by issue time; feedback counts entries by the time they were
received. Acceptance rate = accepted / (accepted + overridden), over the entries received.
Feedback naming a card uuid this service never issued is reported under rule "(unknown)".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select

from cds_service.storage import feedback, issued_card

UNKNOWN = "(unknown)"


@dataclass
class RuleStats:
    """One rule id (and catalogue version): what was shown and what clinicians did."""

    rule_id: str
    version: str
    shown: int = 0
    accepted: int = 0
    overridden: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def acceptance_rate(self) -> float | None:
        """accepted / (accepted + overridden); None without feedback."""
        answered = self.accepted + self.overridden
        return self.accepted / answered if answered else None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready view."""
        return {
            "rule": self.rule_id,
            "catalogueVersion": self.version,
            "shown": self.shown,
            "accepted": self.accepted,
            "overridden": self.overridden,
            "acceptanceRate": self.acceptance_rate,
            "overrideReasons": dict(self.reasons.most_common()),
        }


def build_report(
    engine: Engine, since: datetime | None = None, until: datetime | None = None
) -> list[RuleStats]:
    """Per (rule id, catalogue version) statistics over [since, until)."""
    stats: dict[tuple[str, str], RuleStats] = {}

    def entry(rule_id: str | None, version: str | None) -> RuleStats:
        key = (rule_id or UNKNOWN, version or "")
        if key not in stats:
            stats[key] = RuleStats(*key)
        return stats[key]

    shown = select(issued_card.c.rule_id, issued_card.c.catalogue_version, func.count()).group_by(
        issued_card.c.rule_id, issued_card.c.catalogue_version
    )
    if since:
        shown = shown.where(issued_card.c.issued_at >= since)
    if until:
        shown = shown.where(issued_card.c.issued_at < until)

    rule = func.coalesce(feedback.c.rule_id, issued_card.c.rule_id)
    reason = func.coalesce(feedback.c.override_display, feedback.c.override_code)
    answered = (
        select(rule, issued_card.c.catalogue_version, feedback.c.outcome, reason, func.count())
        .select_from(
            feedback.outerjoin(issued_card, feedback.c.card_uuid == issued_card.c.card_uuid)
        )
        .group_by(rule, issued_card.c.catalogue_version, feedback.c.outcome, reason)
    )
    if since:
        answered = answered.where(feedback.c.received_at >= since)
    if until:
        answered = answered.where(feedback.c.received_at < until)

    with engine.connect() as conn:
        for rule_id, version, count in conn.execute(shown):
            entry(rule_id, version).shown += count
        for rule_id, version, outcome, why, count in conn.execute(answered):
            item = entry(rule_id, version)
            if outcome == "accepted":
                item.accepted += count
            elif outcome == "overridden":
                item.overridden += count
                item.reasons[why or "(no reason given)"] += count
    return sorted(stats.values(), key=lambda s: (s.rule_id == UNKNOWN, s.rule_id, s.version))


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def render_text(rows: list[RuleStats], period: str) -> str:
    """The report as a fixed-width table, override reasons under each rule."""
    header = (
        f"{'rule':<36} {'version':<12} {'shown':>6} {'accepted':>8} {'overridden':>10} {'rate':>5}"
    )
    lines = [f"Feedback report, {period}", header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.rule_id:<36} {row.version:<12} {row.shown:>6} {row.accepted:>8}"
            f" {row.overridden:>10} {_rate(row.acceptance_rate):>5}"
        )
        for why, count in row.reasons.most_common():
            lines.append(f"    overridden {count}x: {why}")
    if not rows:
        lines.append("(no cards issued and no feedback in this period)")
    return "\n".join(lines) + "\n"
