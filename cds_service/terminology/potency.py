"""TCS potency table: ingredient + salt + strength + vehicle -> US class I-VII and UK/BNF level.

Data: data/tcs-potency.json, hand-written from clinical-rules.md §2.1.3 (US consensus chart) and
the BNF. A product that matches no row, or rows that disagree, gets no class: never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

UK_LEVELS = ("mild", "moderate", "potent", "very-potent")
VEHICLES = (
    "ointment",
    "cream",
    "lotion",
    "gel",
    "foam",
    "solution",
    "shampoo",
    "spray",
    "tape",
    "oil",
)


@dataclass(frozen=True)
class PotencyRow:
    """One row of the potency table."""

    ingredient: str
    augmented: bool
    strength_percent: float | None
    vehicles: frozenset[str]
    us_class: int | None
    uk_potency: str | None
    rxnorm: tuple[tuple[str, str, str], ...]  # (code, vehicle, display)
    note: str | None


def _row(raw: dict[str, Any], index: int) -> PotencyRow:
    us, uk = raw.get("us_class"), raw.get("uk_potency")
    vehicles = frozenset(raw.get("vehicles") or ())
    problems = []
    if not isinstance(raw.get("ingredient"), str) or raw["ingredient"] != raw["ingredient"].lower():
        problems.append("ingredient must be a lower-case string")
    if us is not None and (not isinstance(us, int) or not 1 <= us <= 7):
        problems.append(f"us_class {us!r} not in 1..7")
    if uk is not None and uk not in UK_LEVELS:
        problems.append(f"uk_potency {uk!r} not one of {UK_LEVELS}")
    if not vehicles or not vehicles <= set(VEHICLES):
        problems.append(f"vehicles {sorted(vehicles)} must be a non-empty subset of {VEHICLES}")
    rx = tuple((r["code"], r["vehicle"], r["display"]) for r in raw.get("rxnorm", ()))
    if any(v not in vehicles for _, v, _ in rx):
        problems.append("an rxnorm code names a vehicle the row does not have")
    if problems:
        raise ValueError(f"row {index}: " + "; ".join(problems))
    pct = raw.get("strength_percent")
    return PotencyRow(
        raw["ingredient"], bool(raw.get("augmented")), None if pct is None else float(pct),
        vehicles, us, uk, rx, raw.get("note"),
    )  # fmt: skip


class PotencyTable:
    """Rows indexed by ingredient (incl. salt) and by RxNorm code."""

    def __init__(self, doc: dict[str, Any]) -> None:
        if not isinstance(doc.get("source"), str) or not isinstance(doc.get("rows"), list):
            raise ValueError("needs a 'source' string and a 'rows' list")
        self.source: str = doc["source"]
        self.rows = tuple(_row(raw, i) for i, raw in enumerate(doc["rows"]))
        self.by_ingredient: dict[str, list[PotencyRow]] = {}
        self.by_rxnorm: dict[str, tuple[PotencyRow, str, str]] = {}
        for row in self.rows:
            self.by_ingredient.setdefault(row.ingredient, []).append(row)
            for code, vehicle, display in row.rxnorm:
                self.by_rxnorm[code] = (row, vehicle, display)

    def lookup(
        self, ingredient: str, augmented: bool, strength: float | None, vehicle: str | None
    ) -> tuple[int | None, str | None]:
        """US class and UK level, each decided only if all rows consistent with the input agree."""
        us, uk, _ = self.lookup_any([ingredient], augmented, strength, vehicle)
        return us, uk

    def lookup_any(
        self, ingredients: list[str], augmented: bool, strength: float | None, vehicle: str | None
    ) -> tuple[int | None, str | None, set[str]]:
        """lookup over the rows of several ingredients (the salts a salt-less name could be), and
        the ingredients whose rows matched; a class is decided only if all those rows agree."""
        candidates = [
            row
            for ingredient in ingredients
            for row in self.by_ingredient.get(ingredient, ())
            if row.augmented == augmented
            and (strength is None or row.strength_percent is None
                 or abs(row.strength_percent - strength) < 1e-9)
            and (vehicle is None or vehicle in row.vehicles)
        ]  # fmt: skip
        us = {row.us_class for row in candidates}
        uk = {row.uk_potency for row in candidates}
        matched = {row.ingredient for row in candidates}
        return (us.pop() if len(us) == 1 else None), (uk.pop() if len(uk) == 1 else None), matched
