"""Pure checks over answers: expectations per case, the noise budget and coherence.

Noise budget (clinical-rules §5.5, issue 12): at most 1.2 cards per response on average,
never more than 3, no rule in more than 20 % of responses, no info card next to a critical
card. Coherence (§5.3): no two cards recommend opposite actions on the same order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.realistic.case import Case
from tests.realistic.run import Answer

MEAN_MAX = 1.2
CARDS_MAX = 3
RULE_SHARE_MAX = 0.20


@dataclass(frozen=True)
class Verdict:
    """How one case fared: what was missing, at the wrong level, or fired when it must not."""

    case: Case
    answer: Answer
    missing: tuple[str, ...]
    wrong_indicator: tuple[str, ...]
    unwanted: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.answer.status == 200 and not (
            self.missing or self.wrong_indicator or self.unwanted
        )

    def explain(self) -> str:
        c, a = self.case, self.answer
        lines = [f"{c.id} [{c.style}, {c.hook}]: {c.reason}"]
        if a.status != 200:
            lines.append(f"  HTTP {a.status}")
        if self.missing:
            lines.append(f"  must fire, silent: {', '.join(self.missing)}")
        if self.wrong_indicator:
            lines.append(f"  wrong indicator: {', '.join(self.wrong_indicator)}")
        if self.unwanted:
            lines.append(f"  must stay silent, fired: {', '.join(self.unwanted)}")
        got = ", ".join(f"{r}:{i}" for r, i in a.rules) or "no cards"
        lines.append(f"  cards: {got}")
        return "\n".join(lines)


def judge(case: Case, answer: Answer) -> Verdict:
    fired = dict(answer.rules)  # rule id -> indicator (at most one card per rule)
    missing, wrong = [], []
    for rule_id, indicator in case.expected().items():
        if rule_id not in fired:
            missing.append(rule_id)
        elif indicator and fired[rule_id] != indicator:
            wrong.append(f"{rule_id} is {fired[rule_id]}, expected {indicator}")
    unwanted = [r for r in case.quiet if r in fired]
    return Verdict(case, answer, tuple(missing), tuple(wrong), tuple(unwanted))


def recall(verdicts: Iterable[Verdict]) -> tuple[int, int, int, int]:
    """(must-fire met, must-fire total, must-stay-silent kept, must-stay-silent total)."""
    met = total = kept = quiet = 0
    for v in verdicts:
        expected = v.case.expected()
        total += len(expected)
        met += len(expected) - len(v.missing) - len(v.wrong_indicator)
        quiet += len(v.case.quiet)
        kept += len(v.case.quiet) - len(v.unwanted)
    return met, total, kept, quiet


def distribution(answers: list[Answer]) -> dict[str, Any]:
    """Cards-per-response histogram, per-rule and per-indicator counts, mean and max."""
    sizes = [len(a.cards) for a in answers]
    per_rule = Counter(rule for a in answers for rule in {r for r, _ in a.rules})
    return {
        "responses": len(answers),
        "mean": sum(sizes) / len(sizes) if sizes else 0.0,
        "max": max(sizes, default=0),
        "histogram": dict(sorted(Counter(sizes).items())),
        "per_rule": dict(per_rule.most_common()),
        "per_indicator": dict(Counter(i for a in answers for _, i in a.rules).most_common()),
    }


def budget_breaches(answers: list[Answer]) -> list[str]:
    """Every way the answers break the noise budget, in words; empty when within it."""
    d = distribution(answers)
    out = []
    if d["mean"] > MEAN_MAX:
        out.append(f"mean {d['mean']:.2f} cards per response > {MEAN_MAX}")
    for a in answers:
        if len(a.cards) > CARDS_MAX:
            out.append(f"{a.source}/{a.id}: {len(a.cards)} cards > {CARDS_MAX}: {a.rules}")
        indicators = {i for _, i in a.rules}
        if {"info", "critical"} <= indicators:
            out.append(f"{a.source}/{a.id}: info card next to a critical card: {a.rules}")
    for rule, count in d["per_rule"].items():
        if count > RULE_SHARE_MAX * d["responses"]:
            share = count / d["responses"]
            out.append(f"{rule} in {count}/{d['responses']} responses ({share:.0%} > 20%)")
    return out


def contradictions(answer: Answer) -> list[str]:
    """Orders that one card would delete while another would update (keep and change) them."""
    plans: dict[str, dict[str, set[str]]] = {}
    for card in answer.cards:
        rule = card["source"]["topic"]["code"]
        for suggestion in card.get("suggestions", []):
            for action in suggestion.get("actions", []):
                target = _target(action)
                if target and action.get("type") in ("delete", "update"):
                    plans.setdefault(target, {}).setdefault(action["type"], set()).add(rule)
    return [
        f"{answer.id}: {target} deleted by {sorted(p['delete'])}, updated by {sorted(p['update'])}"
        for target, p in plans.items()
        if any(d != u for d in p.get("delete", ()) for u in p.get("update", ()))
    ]


def _target(action: dict[str, Any]) -> str | None:
    if action.get("resourceId"):
        return str(action["resourceId"])
    resource = action.get("resource") or {}
    if resource.get("resourceType") and resource.get("id"):
        return f"{resource['resourceType']}/{resource['id']}"
    return None
