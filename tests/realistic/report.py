"""Card distribution over the realistic charts and the Synthea patients (`make cards-report`).

    python -m tests.realistic.report            # text for the terminal / README
    python -m tests.realistic.report --failing  # also each chart that misses its expectation

Prints cards per response (histogram), how often each rule and indicator answers, the noise
budget verdict, and the recall of the realistic set. Rule ids in the tables are not in
backticks: tests/test_readme.py reads "| `rule-id` |" rows as the README's rule table.
"""

from __future__ import annotations

import argparse
import sys

from tests.realistic.case import load_cases
from tests.realistic.metrics import (
    CARDS_MAX,
    MEAN_MAX,
    RULE_SHARE_MAX,
    budget_breaches,
    contradictions,
    distribution,
    judge,
    recall,
)
from tests.realistic.run import Answer, answers


def render(everything: list[Answer], failing: bool = False) -> str:
    cases = {c.id: c for c in load_cases()}
    d = distribution(everything)
    n = d["responses"]
    sources = ", ".join(
        f"{sum(a.source == s for a in everything)} {s}" for s in ("realistic", "synthea")
    )
    out = [
        f"Responses: {n} ({sources})",
        f"Cards per response: mean {d['mean']:.2f}, max {d['max']}",
    ]
    out.append("")
    out.append("| cards | responses |")
    out.append("| ---: | ---: |")
    out += [f"| {k} | {v} |" for k, v in d["histogram"].items()]
    out.append("")
    out.append("| rule | responses | share |")
    out.append("| --- | ---: | ---: |")
    out += [f"| {r} | {c} | {c / n:.0%} |" for r, c in d["per_rule"].items()]
    out.append("")
    out.append(
        "Cards by indicator: " + ", ".join(f"{i} {c}" for i, c in d["per_indicator"].items())
    )
    breaches = budget_breaches(everything)
    clashes = [c for a in everything for c in contradictions(a)]
    out.append("")
    out.append(
        f"Noise budget (mean <= {MEAN_MAX}, max {CARDS_MAX}, no rule > {RULE_SHARE_MAX:.0%}, "
        f"no info next to critical): {'met' if not breaches else f'{len(breaches)} breaches'}"
    )
    out += [f"  - {b}" for b in breaches]
    out.append(f"Opposite actions on one order: {len(clashes)}")
    out += [f"  - {c}" for c in clashes]
    verdicts = [judge(cases[a.id], a) for a in everything if a.source == "realistic"]
    met, total, kept, quiet = recall(verdicts)
    out.append("")
    out.append(
        f"Realistic charts: {len(verdicts)}, meeting every expectation "
        f"{sum(v.ok for v in verdicts)}; must-fire recall {met}/{total} = {met / total:.3f}; "
        f"must-stay-silent kept {kept}/{quiet}"
    )
    if failing:
        out += ["", *[v.explain() for v in verdicts if not v.ok]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failing", action="store_true", help="list charts that miss")
    args = parser.parse_args(argv)
    print(render(list(answers()), failing=args.failing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
