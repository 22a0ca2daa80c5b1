"""The governance report as one self-contained HTML page: a one-page summary, then detail.

The summary is what a clinical committee reads first: per rule its card title, cards shown,
accepted, overridden, the override rate, the top override reasons in the card's words, a
monthly trend and the catalogue versions. It prints on one landscape page; the detail
(one section per rule: bars, months, versions, every reason) follows on the next pages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

from cds_service.ops.governance import Counts, RuleSummary, months_between
from cds_service.ops.report_style import STYLE

COLOURS = {"shown": "#6b7280", "accepted": "#15803d", "overridden": "#b45309"}
HIGH_OVERRIDE = 0.5  # rates at or above this are highlighted for the committee
TOP_REASONS = 3


def month_label(month: str) -> str:
    """'2026-11' -> 'Nov 2026'."""
    year, number = month.split("-")
    return date(int(year), int(number), 1).strftime("%b %Y")


def period_words(since: datetime | None, until: datetime | None) -> str:
    """The report period for a reader: 'From 1 Nov 2026 to 30 Nov 2026' (until is exclusive)."""

    def day(when: datetime) -> str:
        return f"{when.day} {when:%b %Y}"

    if until is not None and (until.hour, until.minute, until.second) == (0, 0, 0):
        until = until - timedelta(days=1)  # midnight: the day before is the last one counted
    start = f"From {day(since)}" if since else "From the first record"
    return f"{start} to {day(until) if until else 'the time of this report'}"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def render_html(rows: list[RuleSummary], period: str) -> str:
    """The whole page: summary first, then one detail section per rule."""
    months = months_between(rows)
    body = _summary(rows, period, months)
    if rows:
        top = max(max(r.total.shown, r.total.accepted, r.total.overridden) for r in rows) or 1
        body += "<h1 class='detail-heading'>Detail by rule</h1>"
        body += "".join(_detail(row, top) for row in rows)
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Eczema decision support: card governance report</title><style>{STYLE}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def _summary(rows: list[RuleSummary], period: str, months: list[str]) -> str:
    versions = sorted({v for r in rows for v in r.versions if v})
    total = Counts(
        sum(r.total.shown for r in rows),
        sum(r.total.accepted for r in rows),
        sum(r.total.overridden for r in rows),
    )
    head = (
        "<section class='summary'><h1>Eczema decision support: card governance report</h1>"
        f"<p class='meta'>{escape(period)}. Rule catalogue version"
        f"{'s' if len(versions) > 1 else ''}: {escape(', '.join(versions) or 'none')}.</p>"
        "<p class='meta'>Override rate = overridden ÷ (accepted + overridden): cards a "
        "clinician neither accepted nor overrode count as shown only.</p>"
    )
    if not rows:
        return head + "<p>No cards were shown and no feedback was received in this period.</p>"
    totals = "".join(
        f"<div class='total-{name}'>{label}<strong>{value}</strong></div>"
        for name, label, value in (
            ("shown", "Cards shown", total.shown),
            ("accepted", "Accepted", total.accepted),
            ("overridden", "Overridden", total.overridden),
            ("rate", "Override rate", _rate(total.override_rate)),
        )
    )
    span = (
        f"{month_label(months[0])} – {month_label(months[-1])}"
        if len(months) > 1
        else month_label(months[0])
        if months
        else ""
    )
    header = (
        "<tr><th>Card</th><th class='num'>Shown</th><th class='num'>Accepted</th>"
        "<th class='num'>Overridden</th><th class='num'>Override rate</th>"
        "<th>Top override reasons</th>"
        f"<th>Trend by month <span class='span'>{escape(span)}</span></th>"
        "<th>Catalogue</th></tr>"
    )
    legend = (
        "<p class='meta legend'>Trend bars:<span style='background:#9ca3af'></span>shown"
        f"<span style='background:{COLOURS['overridden']}'></span>overridden</p>"
    )
    table = "".join(_summary_row(r, months) for r in rows)
    return (
        f"{head}<div class='totals'>{totals}</div><table class='summary-table'>{header}"
        f"{table}</table>{legend}</section>"
    )


def _summary_row(row: RuleSummary, months: list[str]) -> str:
    rate = row.total.override_rate
    high = " high" if rate is not None and rate >= HIGH_OVERRIDE else ""
    reasons = "".join(
        f"<li>{escape(why)} ({count})</li>" for why, count in row.reasons.most_common(TOP_REASONS)
    )
    versions = ", ".join(sorted(v for v in row.versions if v)) or "–"
    return (
        f"<tr class='rule-row' data-rule='{escape(row.rule_id)}'>"
        f"<td class='card-title'><strong class='title'>{escape(row.title)}</strong>"
        f"<span class='rule-id'>{escape(row.rule_id)}</span></td>"
        f"<td class='num shown'>{row.total.shown}</td>"
        f"<td class='num accepted'>{row.total.accepted}</td>"
        f"<td class='num overridden'>{row.total.overridden}</td>"
        f"<td class='num rate{high}'>{_rate(rate)}</td>"
        f"<td>{f'<ul class=reasons>{reasons}</ul>' if reasons else '–'}</td>"
        f"<td class='trend'>{_sparkline(row, months)}</td>"
        f"<td class='versions'>{escape(versions)}</td></tr>"
    )


def _sparkline(row: RuleSummary, months: list[str]) -> str:
    """Shown per month (grey) with the overridden part (amber), on the rule's own scale."""
    width, gap, height = 14, 3, 30
    top = max([1] + [c.shown for c in row.months.values()])
    bars, words = [], []
    for i, month in enumerate(months):
        counts = row.months.get(month, Counts())
        x = i * (width + gap)
        for value, colour in (
            (counts.shown, "#9ca3af"),
            (counts.overridden, COLOURS["overridden"]),
        ):
            h = round(height * value / top, 1)
            bars.append(
                f"<rect x='{x}' y='{height - h}' width='{width}' height='{h}' fill='{colour}'/>"
            )
        words.append(f"{month_label(month)}: {counts.shown} shown, {counts.overridden} overridden")
    label = escape("; ".join(words))
    span = max(1, len(months)) * (width + gap)
    return (
        f"<svg role='img' aria-label='{label}' width='{span}' height='{height}' "
        f"viewBox='0 0 {span} {height}' preserveAspectRatio='none'><title>{label}</title>"
        f"{''.join(bars)}</svg>"
    )


def _detail(row: RuleSummary, top: int) -> str:
    bars = "".join(
        _bar(name, getattr(row.total, name), top) for name in ("shown", "accepted", "overridden")
    )
    months = _table("Month", [(month_label(m), c) for m, c in sorted(row.months.items())])
    versions = _table("Catalogue version", sorted(row.versions.items()))
    reasons = "".join(
        f"<tr><td>{escape(why)}</td><td class='num'>{count}</td></tr>"
        for why, count in row.reasons.most_common()
    )
    reason_table = (
        f"<table class='reasons'><tr><th>Override reason</th><th class='num'>Times</th></tr>"
        f"{reasons}</table>"
        if reasons
        else "<p class='meta'>No overrides.</p>"
    )
    return (
        f"<section class='rule' data-rule='{escape(row.rule_id)}'>"
        f"<h2>{escape(row.title)}</h2><p class='rule-id'>{escape(row.rule_id)}</p>"
        f"<p class='meta'>Override rate <strong class='rate'>"
        f"{_rate(row.total.override_rate)}</strong></p>"
        f"<div class='chart' role='img' aria-label='shown {row.total.shown}, accepted "
        f"{row.total.accepted}, overridden {row.total.overridden}'>{bars}</div>"
        f"<div class='columns'>{months}{versions}{reason_table}</div></section>"
    )


def _table(first: str, items: list[tuple[str, Counts]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(name or '–')}</td><td class='num'>{c.shown}</td>"
        f"<td class='num'>{c.accepted}</td><td class='num'>{c.overridden}</td>"
        f"<td class='num'>{_rate(c.override_rate)}</td></tr>"
        for name, c in items
    )
    return (
        f"<table><tr><th>{escape(first)}</th><th class='num'>Shown</th>"
        "<th class='num'>Accepted</th><th class='num'>Overridden</th>"
        f"<th class='num'>Override rate</th></tr>{rows}</table>"
    )


def _bar(name: str, value: int, top: int) -> str:
    width = round(100 * value / top, 1)
    return (
        f"<div class='bar-row'><span class='bar-label'>{name.capitalize()}</span>"
        f"<span class='bar-value'>{value}</span><div class='bar-track'><div class='bar {name}' "
        f"style='width:{width}%;background:{COLOURS[name]}'></div></div></div>"
    )
