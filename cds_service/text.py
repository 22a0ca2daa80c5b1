"""Hostile text made safe: lone surrogates replaced, free text normalised before any matching.

`normalise` is applied once, where the picture builder reads free text (drug names, dosage
and site text, condition and reason text), so every matcher downstream sees the same plain
form: NFKC (fullwidth digits and signs, NBSP and the other compatibility spaces), invisible
and bidi-control characters removed, dashes and percent signs unified, and Cyrillic/Greek
look-alikes of Latin letters folded inside words that also hold Latin letters (a mixed-script
word is a typo or a spoof; a word wholly in another script is left as it is). Pure ASCII,
the usual case, is returned untouched at the cost of one `str.isascii()`.

`scrub` replaces lone surrogates (which JSON's ``"\\ud800"`` can carry, and which no UTF-8
encoder, log handler, database driver or Rust extension accepts) with U+FFFD in a decoded
JSON value; `may_hold_surrogates` tells from the raw bytes whether it is worth walking.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Invisible or format characters deleted outright: zero-width space/non-joiner/joiner, word
# joiner, soft hyphen, BOM/ZWNBSP, LRM/RLM/ALM, bidi embeddings, overrides and isolates.
_INVISIBLE = "\u200b\u200c\u200d\u2060\u00ad\ufeff\u200e\u200f\u061c\u180e" + "".join(
    map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
)
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACES += "\u202f\u205f\u3000"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u02d7"
# Percent signs only: U+2030/2031 (per mille, per ten thousand) are other quantities.
_PERCENTS = "\u066a\ufe6a\uff05\u2052"

_FOLD = str.maketrans(
    {
        **dict.fromkeys(_INVISIBLE, None),
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_PERCENTS, "%"),
    }
)
# Letters that look like Latin ones (Unicode confusables, the common subset).
_LOOKALIKES = str.maketrans(
    "асеіјорухѕԁһӏԛԝАВСЕНІЈКМОРЅТХ"  # Cyrillic
    "αβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"  # Greek
    "ıɡ",  # Latin dotless i, script g
    "aceijopyxsdhlqwABCEHIJKMOPSTXabeikvoptuxABEZHIKMNOPTYXig",
)
_CONFUSABLE = frozenset("асеіјорухѕԁһӏԛԝАВСЕНІЈКМОРЅТХαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧıɡμ")
_WORD = re.compile(r"\w+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def normalise(value: str) -> str:
    """`value` in the plain form every matcher expects (unchanged when it is pure ASCII)."""
    return value if value.isascii() else _normalise(value)


@lru_cache(maxsize=4096)  # charts repeat their drug names and instructions
def _normalise(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value.translate(_FOLD)).translate(_FOLD)
    if folded.isascii():
        return folded
    # NFKC turns the micro sign into Greek mu: "µg" is a microgram, a lone mu a look-alike u.
    folded = folded.replace("\u03bcg", "mcg")
    return _WORD.sub(_unmix, folded)


def _unmix(match: re.Match[str]) -> str:
    word = match.group()
    if word.isascii() or _CONFUSABLE.isdisjoint(word):
        return word
    if not _ASCII_LETTER.search(word) and not _all_confusable(word):
        return word  # a word in another script, not a spoof of a Latin one
    return word.translate(_LOOKALIKES).replace("\u03bc", "u")


def _all_confusable(word: str) -> bool:
    # Only look-alikes and digits ("Тор" in Cyrillic): it reads as Latin to whoever reads it,
    # so it is folded; a real Russian or Greek word holds letters with no Latin twin.
    return all(ch in _CONFUSABLE or ch.isdigit() for ch in word)


_SURROGATE = re.compile("[\ud800-\udfff]")
# A \uD800-\uDFFF escape, or the raw UTF-8-like bytes of one (json.loads reads them with
# "surrogatepass" when msgspec refuses the body).
_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # a literal prefix: sre skips ahead to each "\u"
_ENCODED = re.compile(rb"\xed[\xa0-\xbf]")


def may_hold_surrogates(raw: bytes) -> bool:
    """False when the JSON text `raw` certainly decodes without any surrogate code point."""
    # A one-byte `in` is a memchr scan (0.1 ms for 12 MB): a body without any backslash or
    # 0xED byte, the usual case, costs no more than that.
    if b"\\" in raw and _ESCAPE.search(raw) is not None:
        return True
    return b"\xed" in raw and _ENCODED.search(raw) is not None


def scrub(value: Any) -> Any:
    """`value` (decoded JSON) with every lone surrogate, in strings and keys, made U+FFFD.

    Iterative, so a body nested as deep as the parser allows is no deeper trouble here.
    """
    if isinstance(value, str):
        return _clean(value)
    if not isinstance(value, dict | list):
        return value
    root = [value]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, item in enumerate(node):
                if item.__class__ is str:
                    node[i] = _clean(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
        else:
            for key in list(node):
                item = node[key]
                if key.__class__ is str and not key.isascii() and _SURROGATE.search(key):
                    del node[key]
                    key = _clean(key)
                    node[key] = item
                if item.__class__ is str:
                    node[key] = _clean(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
    return root[0]


def _clean(value: str) -> str:
    if value.isascii():
        return value
    return _SURROGATE.sub("\ufffd", value)
