"""The governance report's data: per rule, what was shown and what clinicians did, by month.

A clinical committee reads rules by their card title and override reasons in the card's own
words, so both come from the card files (`cards/<rule-id>.toml`); the stored reason code is
looked up there, falling back to the display the EHR sent, then the code. Override rate =
overridden / (accepted + overridden): cards with no feedback (ignored, or an EHR that sends
none) are counted as shown only. Months are calendar months in UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, func, select

from cds_service.ops.report import UNKNOWN
from cds_service.storage import feedback, issued_card

NO_REASON = "No reason given"
UNKNOWN_TITLE = "Cards not issued by this service"


@dataclass
class Counts:
    """Shown, accepted and overridden for one slice (a rule, a month, a version)."""

    shown: int = 0
    accepted: int = 0
    overridden: int = 0

    @property
    def override_rate(self) -> float | None:
        """overridden / (accepted + overridden); None without feedback."""
        answered = self.accepted + self.overridden
        return self.overridden / answered if answered else None


@dataclass
class RuleSummary:
    """One rule over the whole period, with its months, catalogue versions and reasons."""

    rule_id: str
    title: str
    total: Counts = field(default_factory=Counts)
    months: dict[str, Counts] = field(default_factory=dict)
    versions: dict[str, Counts] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, month: str, version: str, outcome: str, count: int) -> None:
        """Count `count` events of `outcome` ("shown", "accepted", "overridden")."""
        for counts in (
            self.total,
            self.months.setdefault(month, Counts()),
            self.versions.setdefault(version, Counts()),
        ):
            setattr(counts, outcome, getattr(counts, outcome) + count)


def card_words(cards: Mapping[str, Any]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Titles by rule id, and override reason displays by (rule id, code), from card templates."""
    titles, reasons = {}, {}
    for rule_id, template in cards.items():
        titles[rule_id] = template.data["title"]
        for reason in template.data.get("override_reasons", []):
            reasons[(rule_id, reason["code"])] = reason["display"]
    return titles, reasons


def _month(column: Any, dialect: str) -> ColumnElement[str]:
    # Grouped in the database: the issued-card log can hold millions of rows.
    if dialect == "sqlite":
        return func.strftime("%Y-%m", column)
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    raise ValueError(f"the governance report supports SQLite and PostgreSQL, not {dialect}")


def build_governance(
    engine: Engine,
    cards: Mapping[str, Any],
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[RuleSummary]:
    """Per rule statistics over [since, until), most shown first, unknown cards last."""
    titles, reason_words = card_words(cards)
    rules: dict[str, RuleSummary] = {}

    def rule(rule_id: str | None) -> RuleSummary:
        key = rule_id or UNKNOWN
        if key not in rules:
            title = titles.get(key) or (
                "Cards not issued by this service" if key == UNKNOWN else key
            )
            rules[key] = RuleSummary(key, title)
        return rules[key]

    shown = _shown(engine.dialect.name, since, until)
    answered = _answered(engine.dialect.name, since, until)

    with engine.connect() as conn:
        for rid, when, version, count in conn.execute(shown):
            rule(rid).add(when, version or "", "shown", count)
        for rid, when, version, outcome, code, display, count in conn.execute(answered):
            if outcome not in ("accepted", "overridden"):
                continue
            item = rule(rid)
            item.add(when, version or "", outcome, count)
            if outcome == "overridden":
                words = reason_words.get((item.rule_id, code or "")) or display or code
                item.reasons[words or NO_REASON] += count
    return sorted(
        rules.values(), key=lambda r: (r.rule_id == UNKNOWN, -r.total.shown, r.title.lower())
    )


def _shown(dialect: str, since: datetime | None, until: datetime | None) -> Select[Any]:
    """Cards issued per rule, month and catalogue version in [since, until)."""
    month = _month(issued_card.c.issued_at, dialect)
    shown = select(
        issued_card.c.rule_id, month, issued_card.c.catalogue_version, func.count()
    ).group_by(issued_card.c.rule_id, month, issued_card.c.catalogue_version)
    if since:
        shown = shown.where(issued_card.c.issued_at >= since)
    if until:
        shown = shown.where(issued_card.c.issued_at < until)
    return shown


def _answered(dialect: str, since: datetime | None, until: datetime | None) -> Select[Any]:
    """Feedback per rule, month, version, outcome and override reason in [since, until)."""
    rule_id = func.coalesce(feedback.c.rule_id, issued_card.c.rule_id)
    received = _month(feedback.c.received_at, dialect)
    columns = (
        rule_id,
        received,
        issued_card.c.catalogue_version,
        feedback.c.outcome,
        feedback.c.override_code,
        feedback.c.override_display,
    )
    answered = (
        select(*columns, func.count())
        .select_from(
            feedback.outerjoin(issued_card, feedback.c.card_uuid == issued_card.c.card_uuid)
        )
        .group_by(*columns)
    )
    if since:
        answered = answered.where(feedback.c.received_at >= since)
    if until:
        answered = answered.where(feedback.c.received_at < until)
    return answered


def months_between(rows: list[RuleSummary]) -> list[str]:
    """Every month (YYYY-MM) from the first to the last one with data, gaps filled."""
    seen = sorted({m for r in rows for m in r.months})
    if not seen:
        return []
    year, month = map(int, seen[0].split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= seen[-1]:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
