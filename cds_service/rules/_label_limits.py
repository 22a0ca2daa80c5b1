"""Per-product US label limits for very potent (class I) topical steroids, from
terminology/data/tcs-label-limits.json: clobetasol propionate 0.05% 50 g a week and 2 weeks,
Diprolene (augmented betamethasone dipropionate) 0.05% ointment 45 g a week and 2 weeks
(clinical-rules R-19, §5.6). Unlisted class I products get the clobetasol limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from cds_service.picture import MedicationOrder


@dataclass(frozen=True)
class LabelLimit:
    """At most `grams_per_week` a week for at most `max_days` consecutive days."""

    grams_per_week: int
    max_days: int
    label: str
    url: str


@cache
def _table() -> tuple[LabelLimit, tuple[tuple[str, float, frozenset[str], LabelLimit], ...]]:
    path = resources.files("cds_service.terminology") / "data" / "tcs-label-limits.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    def limit(row: dict[str, Any]) -> LabelLimit:
        return LabelLimit(
            int(row["grams_per_week"]), int(row["max_days"]), str(row["label"]), str(row["url"])
        )

    rows = tuple(
        (
            str(r["ingredient"]),
            float(r["strength_percent"]),
            frozenset(str(v) for v in r["vehicles"]),
            limit(r),
        )
        for r in data["rows"]
    )
    return limit(data["default"]), rows


def label_limit(order: MedicationOrder) -> LabelLimit:
    """The label limit of this class I product (the default row when no product row matches)."""
    default, rows = _table()
    drug = order.drug
    for ingredient, strength, vehicles, limit in rows:
        if (
            drug.ingredient == ingredient
            and drug.strength_percent is not None
            and abs(drug.strength_percent - strength) < 1e-9
            and drug.vehicle in vehicles
        ):
            return limit
    return default
