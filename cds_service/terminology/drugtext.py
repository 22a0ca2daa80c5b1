"""Parse medication names (RxNorm SCD names, clinician shorthand, brands) into their parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .strength import Strength, find_strength_run, find_strengths, pick

MAX_TEXT = 2000
ROUTES = ("topical", "oral", "injection")

# Order matters: a non-skin route beats everything, "oral gel" is oral, "Topical Solution" topical.
_ROUTE_CUES = (
    (
        "other",
        r"ophthalmic|ophth|otic|nasal|intranasal|inhal\w*|inh|nebuli\w*|eye drops?|ear drops?"
        r"|vaginal(?:ly)?|vag|rectal(?:ly)?|rect",
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
        r"topical|topl?|cutaneous|creams?|ointments?|oint|ungt?|lotions?|gels?|foams?|mousse"
        r"|shampoos?|tapes?|crm|sprays?|paste|oil|external|scalp application|plasters?",
    ),
)
_ROUTE_RE = tuple((route, re.compile(r"\b(?:" + cue + r")\b")) for route, cue in _ROUTE_CUES)
_VEHICLES = {
    "ointment": "ointment", "ointments": "ointment", "oint": "ointment", "ung": "ointment",
    "ungt": "ointment", "cream": "cream", "creams": "cream", "crm": "cream",
    "lotion": "lotion", "lotions": "lotion", "gel": "gel", "gels": "gel",
    "foam": "foam", "foams": "foam", "mousse": "foam",
    "solution": "solution", "soln": "solution", "shampoo": "shampoo", "shampoos": "shampoo",
    "spray": "spray", "sprays": "spray", "tape": "tape", "tapes": "tape", "oil": "oil",
}  # fmt: skip
_VEHICLE_RE = re.compile(r"\b(?:" + "|".join(sorted(_VEHICLES, key=len, reverse=True)) + r")\b")
_SALTS = {
    "propionate", "dipropionate", "valerate", "butyrate", "acetonide", "furoate", "acetate",
    "diacetate", "aceponate", "hydrochloride", "hcl", "pamoate", "maleate", "mofetil", "sodium",
    "phosphate", "calcium", "nitrate", "olamine", "bisulfate", "dihydrochloride",
}  # fmt: skip
# Pharmacy and drug-file abbreviations (FDB labels, Meditech 30-character names): "BETAMETHASONE
# DP AUG", "CLOBETASOL PROP", "TRIAMCIN ACET", "HYDROCORT BUT". An abbreviation names every salt
# it could stand for; the ingredient's own salts decide, and two candidates decide nothing.
_SALT_ABBREVIATIONS = {
    "hcl": ("hydrochloride",), "prop": ("propionate",), "propion": ("propionate",),
    "dp": ("dipropionate",), "dipro": ("dipropionate",), "diprop": ("dipropionate",),
    "dipropion": ("dipropionate",), "va": ("valerate",), "val": ("valerate",),
    "valer": ("valerate",), "but": ("butyrate",), "buty": ("butyrate",), "butyr": ("butyrate",),
    "acet": ("acetonide", "acetate"), "aceton": ("acetonide",), "fur": ("furoate",),
    "furo": ("furoate",), "diacet": ("diacetate",),
}  # fmt: skip
_SALT_WORDS = {**{s: (s,) for s in _SALTS}, **_SALT_ABBREVIATIONS}
_SALT_RE = re.compile(r",? ?(" + "|".join(sorted(_SALT_WORDS, key=len, reverse=True)) + r")\b\.?")
_AUGMENTED_RE = re.compile(r"\baug(?:mented)?\b")


_Hit = tuple[re.Match[str], str, dict[str, Any]]


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
    strength: Strength | None
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


# In a drug name brackets only separate words: "tacrolimus (PROTOPIC) 0.1 %", "... [Protopic]".
_SEPARATORS = str.maketrans({c: " " for c in "()[]{}"})


def drug_text(text: str) -> str:
    """normalise_text, with tall-man letters lower-cased and brackets read as spaces."""
    return normalise_text(text[:MAX_TEXT].translate(_SEPARATORS))


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
            pct = entry.get("strength_percent")
            extra["strength"] = None if pct is None else Strength(float(pct), "%", explicit=False)
            for name in (brand, *entry.get("aliases", ())):
                self.lexicon[name] = (base, {**extra, "salt": salt})
        self.stems: dict[str, str] = dict(doc.get("stems", {}))
        # A truncation two ingredients share ("FLUOCIN": fluocinonide, fluocinolone) names one
        # only when the salt written after it belongs to just one of them ("FLUOCIN ACET").
        self.shared_stems = {k: tuple(v) for k, v in doc.get("shared_stems", {}).items()}
        unknown = set(self.stems.values()) - set(self.ingredients)
        unknown |= {n for v in self.shared_stems.values() for n in v} - set(self.ingredients)
        if unknown:
            raise ValueError(f"stems point to unknown ingredients {sorted(unknown)}")
        self.by_rxnorm = {i.rxnorm: i.name for i in self.ingredients.values() if i.rxnorm}
        names = [re.escape(n) for n in sorted(self.lexicon, key=len, reverse=True)]
        stems = [re.escape(s) + r"[a-z]*" for s in self.stems]
        stems += [re.escape(s) + r"\b" for s in self.shared_stems]
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
        text = drug_text(raw)
        hits = [(m, *self._lookup(text, m)) for m in self._name_re.finditer(text)]
        hits = [h for h in hits if h[1]]
        hits = [h for i, h in enumerate(hits) if not (i and self._base_word(text, hits[i - 1], h))]
        mentions: list[Mention] = []
        seen: set[str] = set()
        for i, (hit, base, _) in enumerate(hits):
            if base in seen:
                continue
            seen.add(base)
            # One mention runs until another ingredient is named: "tacrolimus (PROTOPIC) 0.1 %"
            # names tacrolimus twice, and the strength after the brand belongs to it.
            later = [h[0].start() for h in hits[i:] if h[1] != base]
            end = later[0] if later else len(text)
            group = [h for h in hits[i:] if h[1] == base and h[0].start() < end]
            start = hits[i - 1][0].end() if i else 0
            mentions.append(self._mention(text, hit.end(), start, end, base, group))
        run = find_strength_run(text, hits[-1][0].end()) if len(mentions) > 1 else None
        if run is not None and len(run) == len(mentions):
            # "clotrimazole-betamethasone 1-0.05 % cream": the strengths follow the names' order.
            mentions = [replace(m, strength=s) for m, s in zip(mentions, run, strict=True)]
        route_cue = next((r for r, rx in _ROUTE_RE if rx.search(text)), None)
        vehicle_hit = _VEHICLE_RE.search(text)
        vehicle = _VEHICLES[vehicle_hit.group(0)] if vehicle_hit else None
        return ParsedText(tuple(mentions), route_cue, vehicle)

    def _base_word(self, text: str, before: _Hit, hit: _Hit) -> bool:
        """An emollient word hyphen-glued to the drug before it names the base, not a second
        ingredient: "fluocinonide-emollient (LIDEX-E) 0.05 % cream" is one steroid cream."""
        classes = self.ingredients[hit[1]].classes
        only_emollient = all(c <= {"emollient"} for c in classes.values())
        glued = before[0].end() + 1 == hit[0].start() and text[before[0].end()] == "-"
        return only_emollient and glued and before[1] != hit[1]

    def _lookup(self, text: str, hit: re.Match[str]) -> tuple[str, dict[str, Any]]:
        word = hit.group(0)
        if word in self.lexicon:
            return self.lexicon[word]
        if word in self.shared_stems:
            salt_hit = _SALT_RE.match(text, hit.end())
            salts = set(_SALT_WORDS[salt_hit.group(1)]) if salt_hit else set()
            named = [n for n in self.shared_stems[word] if self.ingredients[n].salts & salts]
            return (named[0] if len(named) == 1 else ""), {}
        stem = next(s for s in self.stems if word.startswith(s))
        return self.stems[stem], {}

    def _mention(
        self,
        text: str,
        pos: int,
        start: int,
        end: int,
        base: str,
        group: list[tuple[re.Match[str], str, dict[str, Any]]],
    ) -> Mention:
        ingredient = self.ingredients[base]
        brand: dict[str, Any] = {}
        for _, _, info in group:  # the first name that says something wins, per attribute
            brand.update({k: v for k, v in info.items() if v is not None and k not in brand})
        salt = brand.get("salt")
        for hit, _, _ in group:
            salt_hit = _SALT_RE.match(text, hit.end())
            if salt_hit:
                found = [s for s in _SALT_WORDS[salt_hit.group(1)] if s in ingredient.salts]
                salt = found[0] if len(found) == 1 else salt
                break
        strength = pick(find_strengths(text, pos, end))
        if strength is None and start == 0:
            # "0.1% tacrolimus ointment"; but in "clotrimazole 1% / hydrocortisone cream" the 1%
            # between two ingredients belongs to the first.
            strength = pick(find_strengths(text, start, pos), last=True)
        return Mention(
            base=base,
            salt=salt or ingredient.default_salt,
            augmented=bool(brand.get("augmented")) or bool(_AUGMENTED_RE.search(text, start, end)),
            strength=strength or brand.get("strength"),
            brand_route=brand.get("route"),
            brand_vehicle=brand.get("vehicle"),
        )
