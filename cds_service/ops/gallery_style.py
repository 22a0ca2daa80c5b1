"""The card gallery's stylesheet: an EHR-like card panel (indicator colours as the Sandbox)."""

STYLE = """
body { font-family: system-ui, -apple-system, sans-serif; background: #f3f4f6; margin: 0;
  color: #111827; }
header { background: #1f2937; color: #f9fafb; padding: 1rem 2rem; }
header .meta { color: #d1d5db; }
main { max-width: 56rem; margin: 0 auto; padding: 1rem 2rem; }
h1 { margin: 0; font-size: 1.4rem; }
section.rule { margin: 2rem 0; scroll-margin-top: 1rem; }
section.rule h2 { font-size: 1.15rem; margin: 0 0 .2rem; }
.trigger { font-size: .88rem; color: #374151; margin: .2rem 0; }
h3.variant { font-size: .85rem; color: #374151; margin: .8rem 0 .2rem; }
nav.index { background: #fff; border: 1px solid #d1d5db; border-radius: 6px; padding: .5rem 1rem; }
nav.index h2 { font-size: 1rem; margin: .3rem 0; }
nav.index ol { columns: 2; margin: 0; padding-left: 1.4rem; font-size: .88rem; }
nav.index li { break-inside: avoid; margin: .15rem 0; }
nav.index .badge { margin-left: .3rem; font-size: .6rem; }
.badge.info { background: #dbeafe; } .badge.warning { background: #fef3c7; }
.badge.critical { background: #fee2e2; }
.meta { color: #6b7280; font-size: .8rem; margin: .2rem 0; }
.panel { background: #fff; border: 1px solid #d1d5db; border-radius: 6px; padding: .5rem; }
article.card { border: 1px solid #e5e7eb; border-left: 6px solid #6b7280; border-radius: 4px;
  padding: .6rem .9rem; margin: .5rem 0; background: #fff; }
article.card.info { border-left-color: #2563eb; }
article.card.warning { border-left-color: #d97706; }
article.card.critical { border-left-color: #dc2626; }
.top { display: flex; align-items: baseline; gap: .6rem; }
.summary { font-size: 1rem; margin: 0; }
article.card.info .summary { color: #1d4ed8; }
article.card.warning .summary { color: #b45309; }
article.card.critical .summary { color: #b91c1c; }
.badge { text-transform: uppercase; font-size: .7rem; font-weight: 700; letter-spacing: .05em;
  padding: .1rem .4rem; border-radius: 3px; background: #e5e7eb; }
article.card.warning .badge { background: #fef3c7; }
article.card.critical .badge { background: #fee2e2; }
article.card.info .badge { background: #dbeafe; }
.detail { font-size: .9rem; line-height: 1.45; }
.detail table { border-collapse: collapse; } .detail td, .detail th { border: 1px solid #d1d5db;
  padding: .2rem .4rem; }
.source { font-size: .8rem; margin: .3rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .4rem; margin: .4rem 0; }
.actions button, .link-button { font: inherit; font-size: .85rem; padding: .3rem .7rem;
  border-radius: 4px; border: 1px solid #2563eb; background: #eff6ff; color: #1e3a8a;
  text-decoration: none; }
.actions button.recommended { background: #2563eb; color: #fff; }
.actions button.dismiss { border-color: #9ca3af; background: #f9fafb; color: #374151; }
.error { color: #b91c1c; font-weight: 600; } .empty { color: #6b7280; }
"""
