"""The governance report's stylesheet: a summary that prints on one landscape page, then detail."""

STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: system-ui, -apple-system, sans-serif; margin: 1.5rem 2rem; color: #111827;
  font-size: 14px; }
h1 { font-size: 1.35rem; margin: 0 0 .2rem; }
h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
.meta { color: #4b5563; font-size: .85rem; margin: .15rem 0; }
.rule-id { color: #6b7280; font-size: .75rem; font-family: ui-monospace, monospace;
  display: block; }
.totals { display: flex; gap: 1.5rem; margin: .6rem 0 .8rem; }
.totals div { border: 1px solid #d1d5db; border-radius: 6px; padding: .35rem .8rem; }
.totals strong { display: block; font-size: 1.2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: .3rem .45rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid #e5e7eb; }
th { font-size: .78rem; color: #374151; border-bottom: 2px solid #9ca3af; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.rate.high { color: #b45309; font-weight: 700; }
ul.reasons { margin: 0; padding-left: 1rem; font-size: .82rem; }
.trend svg { display: block; } th .span { display: block; font-size: .68rem; color: #6b7280; }
.legend span { display: inline-block; width: .7rem; height: .7rem; margin: 0 .2rem 0 .8rem;
  vertical-align: middle; }
section.summary { break-after: page; page-break-after: always; }
section.rule { border: 1px solid #d1d5db; border-radius: 6px; padding: 1rem; margin: 1rem 0;
  break-inside: avoid; }
section.rule table { width: auto; margin: .5rem 0; }
.bar-row { display: flex; align-items: center; gap: .5rem; margin: .2rem 0; }
.bar-label { width: 7rem; flex: none; } .bar-value { width: 3rem; flex: none; text-align: right; }
.bar-track { flex: 1; max-width: 40rem; }
.bar { height: 1.1rem; border-radius: 3px; min-width: 1px; }
.columns { display: flex; flex-wrap: wrap; gap: 2rem; }
/* On paper the summary is one A4 landscape page even for the whole catalogue (~35 rules):
   one line per rule, reasons run on one line and are cut with an ellipsis, ids omitted
   (the detail pages carry them). */
@media print {
  body { font-size: 9.5px; margin: 0; }
  h1 { font-size: 14px; } .meta { font-size: 8.5px; margin: 0; }
  .totals { margin: 3px 0; gap: 8px; } .totals div { padding: 1px 6px; }
  .totals strong { display: inline; font-size: 11px; margin-left: 4px; }
  .summary-table th, .summary-table td { padding: 1px 4px; }
  .summary-table th { font-size: 8.5px; }
  .summary-table .rule-id, .summary-table th .span { display: none; }
  .summary-table td.card-title { min-width: 36em; }
  .summary-table td.card-title strong { font-weight: 600; }
  ul.reasons { list-style: none; padding: 0; font-size: inherit; white-space: nowrap;
    overflow: hidden; text-overflow: ellipsis; max-width: 36em; }
  ul.reasons li { display: inline; } ul.reasons li + li::before { content: " · "; }
  .trend svg { height: 12px; width: auto; }
}
"""
