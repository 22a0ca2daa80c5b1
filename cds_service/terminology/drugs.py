"""Classify a medication into drug classes, with TCS potency, from RxNorm codes and/or text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .drugtext import Mention, ParsedText, Vocabulary
from .model import RXNORM, UNKNOWN_DRUG, DrugInfo, normalise_system
from .potency import PotencyTable
from .strength import percent_and_text


class DrugClassifier:
    """RxNorm code first (product, then ingredient), then the parsed displays and text."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        potency: PotencyTable,
        products: Mapping[str, tuple[str, frozenset[str]]],
    ) -> None:
        self.vocabulary = vocabulary
        self.potency = potency
        self.products = products  # RxNorm code -> (canonical display, classes from value sets)

    def classify(
        self, codings: Sequence[tuple[str | None, str | None, str | None]], text: str | None
    ) -> DrugInfo:
        """DrugInfo for one medication; UNKNOWN_DRUG when nothing is recognised."""
        sources = [display for _, _, display in codings if display] + ([text] if text else [])
        for system, code, _ in codings:
            if normalise_system(system) != RXNORM or not code:
                continue
            code = code.strip()
            if code in self.potency.by_rxnorm:
                row, _, display = self.potency.by_rxnorm[code]
                return self._resolve([display, *sources], code, frozenset({"tcs"}))
            if code in self.products:
                display, classes = self.products[code]
                return self._resolve([display, *sources], code, classes)
            if code in self.vocabulary.by_rxnorm:
                base = self.vocabulary.by_rxnorm[code]
                return self._resolve([base, *sources], code, frozenset(), base)
        return self._resolve(sources, None, frozenset())

    def _resolve(
        self,
        sources: list[str],
        code: str | None,
        coded_classes: frozenset[str],
        coded_base: str | None = None,
    ) -> DrugInfo:
        parsed = [self.vocabulary.parse(s) for s in sources]
        mentions = _merge(parsed)
        if not mentions:
            if code is None:
                return UNKNOWN_DRUG
            return DrugInfo(coded_classes, None, None, None, None, None, None, None, code, "rxnorm")
        route_cue = next((p.route_cue for p in parsed if p.route_cue), None)
        vehicle = next((p.vehicle for p in parsed if p.vehicle), None)
        primary = self._primary(mentions, coded_base)
        route = _route(route_cue, primary, self.vocabulary)
        classes = set(coded_classes)
        for m in mentions:
            classes |= self.vocabulary.ingredients[m.base].classes.get(route or "", frozenset())
        if classes - {"emollient"}:
            classes.discard("emollient")  # "in aqueous cream" is a vehicle, not an emollient order
        topical = route == "topical"
        vehicle = (vehicle or primary.brand_vehicle) if topical else None
        pct, strength_text = percent_and_text(primary.strength, topical)
        ingredient = primary.base + (f" {primary.salt}" if primary.salt else "")
        us_class = uk = None
        if "tcs" in classes:
            args = (primary.augmented, pct, vehicle)
            us_class, uk, matched = self.potency.lookup_any([ingredient], *args)
            if primary.salt is None and not self.potency.by_ingredient.get(ingredient):
                # "Betamethasone 0.1% cream" names no salt, and no product is the bare steroid
                # (hydrocortisone is): the rows of every salt it could be (only the valerate
                # comes at 0.1 %), still decided only if all of them agree.
                salts = sorted(self.vocabulary.ingredients[primary.base].salts)
                names = [f"{primary.base} {salt}" for salt in salts]
                us_class, uk, matched = self.potency.lookup_any(names, *args)
            if primary.augmented and len(matched) == 1:
                ingredient = matched.pop()  # only the dipropionate comes augmented
        return DrugInfo(
            drug_classes=frozenset(classes),
            ingredient=ingredient,
            strength_percent=pct,
            strength_text=strength_text,
            vehicle=vehicle,
            route=route if route in ("topical", "oral", "injection") else None,
            us_class=us_class,
            uk_potency=uk,
            rxnorm=code,
            matched_by="rxnorm" if code else "text",
        )

    def _primary(self, mentions: list[Mention], coded_base: str | None) -> Mention:
        """The coded ingredient, else the first corticosteroid (potency matters), else the first."""
        for m in mentions:
            if m.base == coded_base:
                return m
        for m in mentions:
            if "tcs" in self.vocabulary.ingredients[m.base].classes.get("topical", ()):
                return m
        return mentions[0]


def _merge(parsed: list[ParsedText]) -> list[Mention]:
    """Mentions from all sources, first source wins; later sources fill a missing strength/salt."""
    # A strength written in any source beats a brand's usual one ("Betnovate" alone = 0.1 %).
    merged: dict[str, Mention] = {}
    for p in parsed:
        for m in p.mentions:
            old = merged.get(m.base)
            if old is None:
                merged[m.base] = m
                continue
            keep_old = old.strength is not None and (old.strength.explicit or m.strength is None)
            merged[m.base] = Mention(
                m.base,
                old.salt or m.salt,
                old.augmented or m.augmented,
                old.strength if keep_old else (m.strength or old.strength),
                old.brand_route or m.brand_route,
                old.brand_vehicle or m.brand_vehicle,
            )
    return list(merged.values())


def _route(route_cue: str | None, primary: Mention, vocabulary: Vocabulary) -> str | None:
    """Text cue, then brand, then a %-type strength (skin products), then the ingredient default."""
    if route_cue:
        return route_cue
    if primary.brand_route:
        return primary.brand_route
    strength = primary.strength
    if strength is not None and strength.is_mass_fraction:
        return "topical"
    ingredient = vocabulary.ingredients[primary.base]
    if (
        strength is not None
        and strength.unit in ("mg", "mcg")
        and strength.den_unit == "ml"
        and strength.den_amount == 5
        and "oral" in ingredient.classes
    ):
        return "oral"  # "15 mg/5 mL" is an oral liquid's (a 5 mL spoon); injections are per mL
    if strength is not None and strength.unit in ("mg", "mcg") and strength.den_unit is None:
        # A plain "25 mg" dose is not a skin product: pick the only systemic route we know.
        systemic = [r for r in ("oral", "injection") if r in ingredient.classes]
        if ingredient.default_route in systemic:
            return ingredient.default_route
        return systemic[0] if len(systemic) == 1 else None
    return ingredient.default_route
