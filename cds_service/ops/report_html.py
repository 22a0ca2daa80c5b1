"""The feedback report as one self-contained HTML page: a bar chart and reasons per rule."""

from __future__ import annotations

from html import escape

from cds_service.ops.report import RuleStats

BAR_COLOURS = {"shown": "#6b7280", "accepted": "#15803d", "overridden": "#b45309"}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #111827; }
section.rule { border: 1px solid #d1d5db; border-radius: 6px; padding: 1rem; margin: 1rem 0; }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; } .meta { color: #4b5563; font-size: .9rem; }
.bar-row { display: flex; align-items: center; gap: .5rem; margin: .2rem 0; }
.bar-label { width: 7rem; } .bar-value { width: 3rem; text-align: right; }
.bar { height: 1.1rem; border-radius: 3px; min-width: 1px; }
table { border-collapse: collapse; } td, th { padding: .2rem .6rem; text-align: left; }
"""


def render_html(rows: list[RuleStats], period: str) -> str:
    """A page a governance committee can read: one section and bar chart per rule."""
    top = max([1] + [max(r.shown, r.accepted, r.overridden) for r in rows])
    sections = [_section(row, top) for row in rows] or [
        "<p>No cards issued and no feedback in this period.</p>"
    ]
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>CDS feedback report</title><style>{STYLE}</style></head><body>"
        f"<h1>CDS feedback report</h1><p class='meta'>{escape(period)}. Acceptance rate = "
        "accepted / (accepted + overridden).</p>" + "".join(sections) + "</body></html>\n"
    )


def _section(row: RuleStats, top: int) -> str:
    rate = "-" if row.acceptance_rate is None else f"{row.acceptance_rate:.0%}"
    bars = "".join(
        _bar(name, value, top)
        for name, value in (
            ("shown", row.shown),
            ("accepted", row.accepted),
            ("overridden", row.overridden),
        )
    )
    reasons = "".join(
        f"<tr><td>{escape(why)}</td><td>{count}</td></tr>"
        for why, count in row.reasons.most_common()
    )
    table = (
        f"<table class='reasons'><tr><th>Override reason</th><th>Count</th></tr>{reasons}</table>"
        if reasons
        else "<p class='meta'>No overrides.</p>"
    )
    return (
        f"<section class='rule' data-rule='{escape(row.rule_id)}'>"
        f"<h2>{escape(row.rule_id)}</h2><p class='meta'>catalogue version "
        f"{escape(row.version or '-')}; acceptance rate <strong class='rate'>{rate}</strong></p>"
        f"<div class='chart' role='img' aria-label='shown {row.shown}, accepted {row.accepted}, "
        f"overridden {row.overridden}'>{bars}</div>{table}</section>"
    )


def _bar(name: str, value: int, top: int) -> str:
    width = round(100 * value / top, 1)
    return (
        f"<div class='bar-row'><span class='bar-label'>{name}</span>"
        f"<span class='bar-value'>{value}</span><div class='bar {name}' style='width:"
        f"{width}%;background:{BAR_COLOURS[name]}'></div></div>"
    )
