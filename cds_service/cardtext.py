"""Card text from chart values: markdown escaping, plain one-line text, and counts that agree
with their nouns. Chart text is data, never markup: it cannot add links, HTML or emphasis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# GFM turns bare URLs into links; a zero-width space (as an entity) breaks the pattern.
_BARE_URL = re.compile(r"(?i)\b(https?|ftp|mailto)(:)|\b(www)(\\?\.)")
# C0 and C1 controls, the line and paragraph separators (a line break in many renderers) and
# the bidirectional overrides and isolates, which can show chart text in another order than
# it is written ("\u202e" makes "maerc" read "cream").
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def escape_markdown(value: object) -> str:
    """Chart text made inert in GitHub-flavoured markdown (no links, HTML or emphasis)."""
    text = value if value.__class__ is str else str(value)
    return _escape_cached(text) if len(text) <= _CACHED_LENGTH else _escape(text)


# Chart text repeats across calls (drug names, sites, dates): short strings are escaped once.
# Bounded in entries and length, so hostile charts cannot grow it past a few MB.
_CACHED_LENGTH = 200


def _escape(value: str) -> str:
    flat = _CONTROL.sub(" ", value)
    flat = "".join(_HTML.get(ch, ch) for ch in flat)  # HTML first: entities hold no specials
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return _BARE_URL.sub(
        lambda m: f"{m.group(1) or m.group(3)}&#8203;{m.group(2) or m.group(4)}", flat
    )


def plain(value: object) -> str:
    """Chart text for plain-text fields (summary, labels): one line, no control characters."""
    text = value if value.__class__ is str else str(value)
    return _plain_cached(text) if len(text) <= _CACHED_LENGTH else _plain(text)


def _plain(value: str) -> str:
    return _CONTROL.sub(" ", value).strip()


_escape_cached = lru_cache(maxsize=4096)(_escape)
_plain_cached = lru_cache(maxsize=4096)(_plain)


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"card placeholder {{{key}}} has no value")


def fill(
    template: str,
    values: Mapping[str, Any],
    escape: bool,
    phrases: Mapping[str, Mapping[str, str]] | None = None,
    joins: Mapping[str, str | list[str]] | None = None,
    absent: Mapping[str, str] | None = None,
) -> str:
    """The template with chart values in: escaped for markdown, or plain; numbers agreeing.

    A value with `phrases` is a code (or a list of codes) the card file words: each code's
    phrase, filled the same way, joined with "; " or the value's `joins` entry. A value left
    out (or None) with an `absent` entry reads as that entry's words."""
    return fill_worded(template, worded(values, escape, phrases, joins, absent))


def fill_worded(template: str, filled: Mapping[str, str]) -> str:
    """The template with values already worded (`worded`), numbers agreeing."""
    return number_agreement(template.format_map(filled))


def worded(
    values: Mapping[str, Any],
    escape: bool,
    phrases: Mapping[str, Mapping[str, str]] | None = None,
    joins: Mapping[str, str | list[str]] | None = None,
    absent: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every value as card text: chart values escaped or plain, codes in their phrases, a value
    the chart does not give in the card file's words for its absence."""
    conv = escape_markdown if escape else plain
    phrases = phrases or {}
    filled = _Values()
    for key, value in values.items():
        if key not in phrases:
            filled[key] = conv(value)
    for name, absence in (absent or {}).items():
        if values.get(name) is None:
            filled[name] = absence
    pending = [name for name in phrases if name in values]
    for last in (False, True):  # a phrase may name a coded value worded in the first pass
        if not pending:
            break
        for name in list(pending):
            codes = values[name]
            table = phrases[name]
            try:
                if isinstance(codes, str):
                    words = [table[codes].format_map(filled)]
                else:
                    words = [table[code].format_map(filled) for code in tuple(codes)]
            except KeyError:
                if last:
                    raise
                continue
            filled[name] = _join(words, (joins or {}).get(name, "; "))
            pending.remove(name)
    return filled


def _join(words: list[str], joiner: str | list[str]) -> str:
    """Phrases joined: one joiner, or [joiner, last joiner] ("a, b and c")."""
    if isinstance(joiner, str):
        return joiner.join(words)
    head = joiner[0].join(words[:-1])
    return joiner[1].join([head, words[-1]]) if len(words) > 1 else "".join(words)


# Counts come from the chart, so the text around them must agree in number: "1 days ago" and
# "2 episode(s)" read as machine output. Not after a digit, point, comma or escape ("0.1 days").
_UNITS = r"(?:day|week|month|year|course|episode|dose|application|time)"
_ONE = re.compile(r"(?<![\d.,\\])1 ((?:[a-z-]+ )?)(" + _UNITS + r")s\b")
_MAYBE_PLURAL = re.compile(r"(?<![\d.,\\])(\d+(?:\.\d+)?) ((?:[a-z-]+ )?)([a-z]+)\(s\)")


def number_agreement(text: str) -> str:
    """'1 days' -> '1 day'; '1 episode(s)' -> '1 episode'; '3 episode(s)' -> '3 episodes'.

    Each pattern runs only on text holding its literal part ("(s)", "1 "): most card text
    holds neither, and a substring test costs a fraction of a regex pass."""
    if "(s)" in text:
        text = _MAYBE_PLURAL.sub(_plural, text)
    return _ONE.sub(r"1 \1\2", text) if "1 " in text else text


def _plural(m: re.Match[str]) -> str:
    return f"{m[1]} {m[2]}{m[3]}{'' if m[1] == '1' else 's'}"
