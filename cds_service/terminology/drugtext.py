"""Parse medication names (RxNorm SCD names, clinician shorthand, brands) into their parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 2000
ROUTES = ("topical", "oral", "injection")

# Order matters: a non-skin route beats everything, "oral gel" is oral, "Topical Solution" topical.
_ROUTE_CUES = (
    (
        "other",
        r"ophthalmic|otic|nasal|intranasal|inhal\w*|nebuli\w*|eye drops?|ear drops?"
        r"|vaginal|rectal",
    ),
    (
        "oral",
        r"oral|tablets?|tabs?|capsules?|caps?|chewable|syrup|elixir|lozenges?|troches?|odt"
        r"|disintegrating|sublingual|po",
    ),
    (
        "injection",
        r"injections?|injectable|syringes?|pens?|auto-?injectors?|subcutaneous"
        r"|intramuscular|intravenous|vials?|prefilled",
    ),
    (
        "topical",
        r"topical|cutaneous|creams?|ointments?|oint|ung|lotions?|gels?|foams?|mousse"
        r"|shampoos?|tapes?|crm|sprays?|paste|oil",
    ),
)
_ROUTE_RE = tuple((route, re.compile(r"\b(?:" + cue + r")\b")) for route, cue in _ROUTE_CUES)
_VEHICLES = {
    "ointment": "ointment", "ointments": "ointment", "oint": "ointment", "ung": "ointment",
    "cream": "cream", "creams": "cream", "crm": "cream", "lotion": "lotion", "lotions": "lotion",
    "gel": "gel", "gels": "gel", "foam": "foam", "foams": "foam", "mousse": "foam",
    "solution": "solution", "soln": "solution", "shampoo": "shampoo", "shampoos": "shampoo",
    "spray": "spray", "sprays": "spray", "tape": "tape", "tapes": "tape", "oil": "oil",
}  # fmt: skip
_VEHICLE_RE = re.compile(r"\b(?:" + "|".join(sorted(_VEHICLES, key=len, reverse=True)) + r")\b")
_STRENGTH_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?|\.\d+) ?(%|mg/ml|mg/mg|mg/g|mcg/ml|mg|mcg|g|ml|units?)"
    r"(?: ?/ ?(\d+(?:\.\d+)?)? ?(ml|g))?(?![a-z0-9])"
)
_SALTS = {
    "propionate", "dipropionate", "valerate", "butyrate", "acetonide", "furoate", "acetate",
    "diacetate", "aceponate", "hydrochloride", "hcl", "pamoate", "maleate", "mofetil", "sodium",
    "phosphate", "calcium", "nitrate", "olamine", "bisulfate", "dihydrochloride",
}  # fmt: skip
_SALT_RE = re.compile(r",? ?(" + "|".join(sorted(_SALTS, key=len, reverse=True)) + r")\b")
_AUGMENTED_RE = re.compile(r"\baugmented\b")


@dataclass(frozen=True)
class Ingredient:
    """One ingredient's vocabulary entry from drugs.json."""

    name: str
    classes: dict[str, frozenset[str]]
    default_route: str | None
    salts: frozenset[str]
    default_salt: str | None
    rxnorm: str | None


@dataclass(frozen=True)
class Mention:
    """An ingredient found in a text, with the strength and salt written next to it."""

    base: str
    salt: str | None
    augmented: bool
    strength_value: float | None
    strength_unit: str | None
    strength_den: str | None
    brand_route: str | None
    brand_vehicle: str | None


@dataclass(frozen=True)
class ParsedText:
    """Everything read from one text: mentions in order, plus product-level route and vehicle."""

    mentions: tuple[Mention, ...]
    route_cue: str | None
    vehicle: str | None


def normalise_text(text: str) -> str:
    """Lower-case, cap the length and collapse whitespace (keeps every regex linear and cheap)."""
    return " ".join(text[:MAX_TEXT].lower().replace("_", " ").split())


class Vocabulary:
    """Ingredient, alias and brand names compiled once into one alternation."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.ingredients: dict[str, Ingredient] = {}
        self.lexicon: dict[str, tuple[str, dict[str, Any]]] = {}
        for name, entry in doc["ingredients"].items():
            classes = {route: frozenset(v) for route, v in entry["classes"].items()}
            bad = set(classes) - set(ROUTES)
            if bad or entry.get("default_route") not in (None, *ROUTES):
                raise ValueError(f"ingredient {name!r}: unknown route in {sorted(bad) or entry}")
            rx = (entry.get("rxnorm") or {}).get("code")
            self.ingredients[name] = Ingredient(
                name, classes, entry.get("default_route"), frozenset(entry.get("salts", ())),
                entry.get("default_salt"), rx,
            )  # fmt: skip
            self.lexicon[name] = (name, {})
            for alias in entry.get("aliases", ()):
                self.lexicon[alias] = (name, {})
        for brand, entry in doc["brands"].items():
            base, salt = self.split_name(entry["ingredient"])
            extra = {k: entry.get(k) for k in ("route", "vehicle", "augmented")}
            self.lexicon[brand] = (base, {**extra, "salt": salt})
        self.stems: dict[str, str] = dict(doc.get("stems", {}))
        unknown = set(self.stems.values()) - set(self.ingredients)
        if unknown:
            raise ValueError(f"stems point to unknown ingredients {sorted(unknown)}")
        self.by_rxnorm = {i.rxnorm: i.name for i in self.ingredients.values() if i.rxnorm}
        names = [re.escape(n) for n in sorted(self.lexicon, key=len, reverse=True)]
        stems = [re.escape(s) + r"[a-z]*" for s in self.stems]
        self._name_re = re.compile(r"\b(?:" + "|".join(names + stems) + r")\b")

    def split_name(self, full: str) -> tuple[str, str | None]:
        """Split "clobetasol propionate" into its known base ingredient and salt."""
        if full in self.ingredients:
            return full, None
        base, _, salt = full.rpartition(" ")
        if base in self.ingredients and salt in self.ingredients[base].salts:
            return base, salt
        raise ValueError(f"unknown ingredient {full!r}")

    def parse(self, raw: str | None) -> ParsedText:
        """Find ingredient mentions with their salt and strength, and the product's route cue."""
        if not raw:
            return ParsedText((), None, None)
        text = normalise_text(raw)
        hits = list(self._name_re.finditer(text))
        mentions: list[Mention] = []
        seen: set[str] = set()
        for i, hit in enumerate(hits):
            base, brand = self._lookup(hit.group(0))
            if base in seen:
                continue
            seen.add(base)
            end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
            start = hits[i - 1].end() if i else 0
            mentions.append(self._mention(text, hit.end(), start, end, base, brand))
        route_cue = next((r for r, rx in _ROUTE_RE if rx.search(text)), None)
        vehicle_hit = _VEHICLE_RE.search(text)
        vehicle = _VEHICLES[vehicle_hit.group(0)] if vehicle_hit else None
        return ParsedText(tuple(mentions), route_cue, vehicle)

    def _lookup(self, word: str) -> tuple[str, dict[str, Any]]:
        if word in self.lexicon:
            return self.lexicon[word]
        stem = next(s for s in self.stems if word.startswith(s))
        return self.stems[stem], {}

    def _mention(
        self, text: str, pos: int, start: int, end: int, base: str, brand: dict[str, Any]
    ) -> Mention:
        ingredient = self.ingredients[base]
        salt = brand.get("salt")
        salt_hit = _SALT_RE.match(text, pos)
        if salt_hit:
            found = "hydrochloride" if salt_hit.group(1) == "hcl" else salt_hit.group(1)
            salt = found if found in ingredient.salts else salt
        strength = _STRENGTH_RE.search(text, pos, end)
        if strength is None:
            before = list(_STRENGTH_RE.finditer(text, start, pos))
            strength = before[-1] if before else None
        window = text[start:end]
        return Mention(
            base=base,
            salt=salt or ingredient.default_salt,
            augmented=bool(brand.get("augmented")) or bool(_AUGMENTED_RE.search(window)),
            strength_value=float(strength.group(1)) if strength else None,
            strength_unit=strength.group(2) if strength else None,
            strength_den=_denominator(strength),
            brand_route=brand.get("route"),
            brand_vehicle=brand.get("vehicle"),
        )


def _denominator(strength: re.Match[str] | None) -> str | None:
    """The "2ml" of "300 mg/2 ml"; None without a strength."""
    if strength is None:
        return None
    return (strength.group(3) or "") + (strength.group(4) or "")


def strength_of(m: Mention, topical: bool) -> tuple[float | None, str | None]:
    """Percent strength (topical only) and display text, from a mention's parsed strength."""
    if m.strength_value is None or m.strength_unit is None:
        return None, None
    value, unit, den = m.strength_value, m.strength_unit, m.strength_den or ""
    if topical and unit in ("g", "ml"):
        return None, None  # "Temovate cream 30 g" is a tube size, not a strength
    pct: float | None = None
    if unit == "%":
        pct = value
    elif unit == "mg/mg":
        pct = value * 100
    elif unit == "mg/g":
        pct = value / 10
    elif topical and unit == "mg/ml":
        pct = value / 10  # creams: 1 mL ~ 1 g, so 0.5 MG/ML = 0.05 %
    elif topical and unit == "mg" and den.endswith(("ml", "g")):
        amount_text = den[:-2] if den.endswith("ml") else den[:-1]
        amount = float(amount_text) if amount_text else 1.0
        pct = value / (amount or 1.0) / 10
    if pct is not None:
        pct = round(pct, 6)
        return pct, f"{pct:g}%"
    text = f"{value:g} {unit.upper()}"
    if den:
        number = den.rstrip("mlg")
        text += "/" + (f"{number} " if number else "") + den[len(number) :].upper()
    return None, text
