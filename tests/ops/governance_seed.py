"""A seeded feedback database for the governance report: three months, three rules, two versions.

Written through FeedbackStore (the same writes the service makes), with the time of each write
given, so the expected figures below are known without running the report code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cds_service.storage import FeedbackStore

OVERRIDE_SYSTEM = "https://cds.eczema.example.org/fhir/CodeSystem/override-reason"
MONTHS = {"2026-09": (9, "2026.10.0"), "2026-10": (10, "2026.11.0"), "2026-11": (11, "2026.11.0")}
# rule -> month -> (shown, accepted, [override reason codes, None for no reason])
PLAN: dict[str, dict[str, tuple[int, int, list[str | None]]]] = {
    "emollient-not-prescribed": {
        "2026-09": (40, 10, ["otc-emollient"] * 8 + ["emollient-intolerance"] * 2 + [None] * 2),
        "2026-10": (55, 14, ["otc-emollient"] * 11 + ["emollient-intolerance"] * 4),
        "2026-11": (70, 20, ["otc-emollient"] * 15 + ["emollient-intolerance"] * 5 + ["x-other"]),
    },
    "tcs-potent-on-sensitive-site": {
        "2026-09": (8, 5, ["specialist-directed", "site-not-sensitive"]),
        "2026-10": (6, 4, ["specialist-directed"]),
        "2026-11": (9, 6, ["specialist-directed"] * 2 + ["site-not-sensitive"]),
    },
    "patch-test-suggested": {
        "2026-10": (3, 1, []),
        "2026-11": (4, 1, []),
    },
}
# A code the card file does not list: the report falls back to the display the EHR sent.
EHR_DISPLAY = {"x-other": "Patient declined"}


def expected(rule: str) -> tuple[int, int, int]:
    """(shown, accepted, overridden) over the whole seed for one rule."""
    months = PLAN[rule].values()
    return (
        sum(s for s, _, _ in months),
        sum(a for _, a, _ in months),
        sum(len(o) for _, _, o in months),
    )


def seed(store: FeedbackStore) -> None:
    """Write the PLAN, plus one override of a card this service never issued (in November)."""
    for rule, months in PLAN.items():
        for month, (shown, accepted, overridden) in months.items():
            number, version = MONTHS[month]
            when = datetime(2026, number, 15, 12, tzinfo=UTC)
            uuids = [f"{rule}-{month}-{i}" for i in range(shown)]
            store.insert_card_rows(
                [(u, rule, "info", "eczema-order-sign", version, when) for u in uuids]
            )
            entries: list[dict[str, Any]] = [
                {"card": u, "outcome": "accepted", "outcomeTimestamp": when.isoformat()}
                for u in uuids[:accepted]
            ]
            for uuid, code in zip(uuids[accepted:], overridden, strict=False):
                entry: dict[str, Any] = {
                    "card": uuid,
                    "outcome": "overridden",
                    "outcomeTimestamp": when.isoformat(),
                }
                if code:
                    reason = {"system": OVERRIDE_SYSTEM, "code": code}
                    if code in EHR_DISPLAY:
                        reason["display"] = EHR_DISPLAY[code]
                    entry["overrideReason"] = {"reason": reason}
                entries.append(entry)
            store.add_resolved("eczema-order-sign", entries, now=when)
    november = datetime(2026, 11, 20, tzinfo=UTC)
    store.add_resolved(
        "eczema-order-sign",
        [{"card": "not-ours", "outcome": "overridden", "outcomeTimestamp": november.isoformat()}],
        now=november,
    )


def seed_catalogue(store: FeedbackStore, rules: dict[str, list[str]]) -> None:
    """Every rule shown in three months, a third accepted and a third overridden for its reasons.

    `rules` maps rule id to its card's override reason codes: the widest summary a committee
    could get, for the one-page check.
    """
    for n, (rule, codes) in enumerate(sorted(rules.items())):
        for number in (9, 10, 11):
            when = datetime(2026, number, 10, tzinfo=UTC)
            uuids = [f"{rule}-{number}-{i}" for i in range(10 + (n * number) % 50)]
            store.insert_card_rows(
                [(u, rule, "info", "eczema-order-sign", "2026.11.0", when) for u in uuids]
            )
            entries: list[dict[str, Any]] = []
            for i, uuid in enumerate(uuids):
                stamp = when.isoformat()
                if i % 3 == 0:
                    entries.append({"card": uuid, "outcome": "accepted", "outcomeTimestamp": stamp})
                elif i % 3 == 1:
                    code = codes[i % len(codes)] if codes else None
                    reason = {"reason": {"system": OVERRIDE_SYSTEM, "code": code}} if code else {}
                    entries.append(
                        {"card": uuid, "outcome": "overridden", "outcomeTimestamp": stamp}
                        | ({"overrideReason": reason} if reason else {})
                    )
            store.add_resolved("eczema-order-sign", entries, now=when)
