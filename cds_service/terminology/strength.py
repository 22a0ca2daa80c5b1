"""Strength grammar: "0.1 %", "1 MG/GM", "0.5 MG/ML", "10 mg per g", "500micrograms/g", "1:1000"."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each spelling maps to one canonical unit; longer spellings first so "gm" is not read as "g".
_NUMERATORS = {
    "%": "%", "percent": "%", "pct": "%", "micrograms": "mcg", "microgram": "mcg",
    "mcg": "mcg", "ug": "mcg", "\u00b5g": "mcg", "mg": "mg", "grams": "g", "gram": "g",
    "gm": "g", "g": "g", "ml": "ml", "units": "unit", "unit": "unit", "iu": "unit",
}  # fmt: skip
_DENOMINATORS = {
    "ml": "ml", "grams": "g", "gram": "g", "gm": "g", "g": "g", "mg": "mg",
    "actuations": "actuat", "actuation": "actuat", "actuat": "actuat",
}  # fmt: skip
_MASS_MG = {"mcg": 0.001, "mg": 1.0, "g": 1000.0}
_NUM = r"(\d+(?:\.\d+)?|\.\d+)"


def _alternation(words: dict[str, str]) -> str:
    # A word unit must end the word ("mg" not "mgx"); "%" may be glued to "w/w".
    parts = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(p) + ("" if p == "%" else r"(?![a-z0-9])") for p in parts)


# Linear: no nested quantifiers, every optional part is a fixed token.
_STRENGTH_RE = re.compile(
    rf"(?<![\w.]){_NUM} ?({_alternation(_NUMERATORS)})"
    rf"(?:(?: ?/ ?| per ){_NUM}? ?({_alternation(_DENOMINATORS)}))?"
)
# "1:1000" is a ratio strength (0.1 %); "1 in 4 dilution" is not a strength at all.
_RATIO_RE = re.compile(r"(?<![\w.:/])1 ?: ?(\d{1,7})(?![\w.:])(?! ?dil)")


# A combination product's strengths, one per ingredient, in the names' order: "1-0.05 %",
# "1 %-0.05 %", "2%/0.1%". Ends in "%" so a date or a dose range is never read as one.
_RUN_RE = re.compile(rf"(?<![\w.]){_NUM}(?: ?%)?(?: ?[-/] ?{_NUM}(?: ?%)?)* ?[-/] ?{_NUM} ?%")
_NUM_RE = re.compile(_NUM)


@dataclass(frozen=True)
class Strength:
    """One written strength: value + unit, optionally per amount + unit; explicit or brand's."""

    value: float
    unit: str
    den_amount: float | None = None
    den_unit: str | None = None
    explicit: bool = True

    @property
    def is_concentration(self) -> bool:
        """A skin-product style strength (%, mass per mass or per volume), not a dose or size."""
        return self.unit == "%" or (self.unit in _MASS_MG and self.den_unit in ("g", "mg", "ml"))

    @property
    def is_mass_fraction(self) -> bool:
        """%, or mass per mass: only skin products are written this way."""
        return self.unit == "%" or (self.unit in _MASS_MG and self.den_unit in ("g", "mg"))


def _from_match(m: re.Match[str]) -> Strength:
    if m.re is _RATIO_RE:
        return Strength(100.0 / float(m.group(1)), "%")
    den_unit = _DENOMINATORS[m.group(4)] if m.group(4) else None
    return Strength(
        float(m.group(1)),
        _NUMERATORS[m.group(2)],
        float(m.group(3)) if m.group(3) else None,
        den_unit,
    )


def find_strengths(text: str, start: int, end: int) -> list[Strength]:
    """Every strength written in text[start:end], in order."""
    hits = [m for m in _STRENGTH_RE.finditer(text, start, end)]
    hits += [m for m in _RATIO_RE.finditer(text, start, end) if m.group(1).strip("0")]
    return [_from_match(m) for m in sorted(hits, key=lambda m: m.start())]


def find_strength_run(text: str, start: int) -> list[Strength] | None:
    """The first run of two or more %-strengths joined by "-" or "/" after start, if any."""
    m = _RUN_RE.search(text, start)
    if m is None:
        return None
    return [Strength(float(n), "%") for n in _NUM_RE.findall(m.group(0))]


def pick(strengths: list[Strength], last: bool = False) -> Strength | None:
    """The concentration if one is written (a tube size or dose is not), else any strength."""
    ordered = list(reversed(strengths)) if last else strengths
    return next((s for s in ordered if s.is_concentration), ordered[0] if ordered else None)


def percent_and_text(s: Strength | None, topical: bool) -> tuple[float | None, str | None]:
    """Percent strength (skin products) and display text for one strength."""
    if s is None:
        return None, None
    if topical and s.unit in ("g", "ml") and s.den_unit is None:
        return None, None  # "Temovate cream 30 g" is a tube size, not a strength
    pct: float | None = None
    if s.unit == "%":
        pct = s.value
    elif s.unit in _MASS_MG and s.den_unit is not None:
        amount = s.den_amount or 1.0
        if s.den_unit in _MASS_MG:
            pct = s.value * _MASS_MG[s.unit] / (amount * _MASS_MG[s.den_unit]) * 100
        elif s.den_unit == "ml" and topical:
            pct = s.value * _MASS_MG[s.unit] / (amount * 1000) * 100  # creams: 1 mL ~ 1 g
    if pct is not None:
        pct = round(pct, 6)
        return pct, f"{pct:g}%"
    text = f"{s.value:g} {s.unit.upper()}"
    if s.den_unit:
        text += "/" + (f"{s.den_amount:g} " if s.den_amount else "") + s.den_unit.upper()
    return None, text
