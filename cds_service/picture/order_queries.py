"""The order questions rules ask of a PatientPicture: drafts, history, orders of a drug class."""

from __future__ import annotations

from functools import cached_property
from itertools import chain
from typing import TYPE_CHECKING, Any

from cds_service.vocabulary import DRUG_CLASSES, known

if TYPE_CHECKING:
    from cds_service.terminology import DrugInfo

    from .model import MedicationOrder


# From this many orders a class question reads the orders grouped by drug (built once per
# call); below it, reading every order is cheaper than grouping them (a 20-resource chart).
BY_DRUG_FROM = 64


class OrderQueries:
    """Order questions, each answered once per call (`_memo`)."""

    if TYPE_CHECKING:
        orders: tuple[MedicationOrder, ...]
        _memo: dict[str, Any]

    @cached_property
    def drafts(self) -> tuple[MedicationOrder, ...]:
        """The draft orders this call is about."""
        return tuple(o for o in self.orders if o.in_scope)

    @cached_property
    def history(self) -> tuple[MedicationOrder, ...]:
        """Orders already on record (not drafts of this call)."""
        return tuple(o for o in self.orders if not o.is_draft)

    def drafts_in(self, classes: tuple[str, ...]) -> tuple[MedicationOrder, ...]:
        """The in-scope drafts in any of the drug classes, once per call (many rules ask the
        drafts of one class); UnknownName for a class no drug has, as `is_a` raises it."""
        key = f"drafts-in:{','.join(classes)}"
        found: tuple[MedicationOrder, ...] | None = self._memo.get(key)
        if found is None:
            if DRUG_CLASSES.keys() >= set(classes):
                wanted = frozenset(classes)
                found = tuple(
                    [o for o in self.drafts if not wanted.isdisjoint(o.drug.drug_classes)]
                )
            else:  # raises where `is_a` first meets the unknown name
                found = tuple([o for o in self.drafts if any(o.is_a(c) for c in classes)])
            self._memo[key] = found
        return found

    def orders_in(self, *classes: str, unclassified: bool = False) -> tuple[MedicationOrder, ...]:
        """Orders (in picture order) of any of the drug classes, or of none with `unclassified`;
        UnknownName for a class no drug has."""
        key = f"orders-in:{','.join(classes)}:{unclassified}"
        found: tuple[MedicationOrder, ...] | None = self._memo.get(key)
        if found is None:
            known("drug class", classes)
            found = self._orders_in(frozenset(classes), unclassified)
            self._memo[key] = found
        return found

    def _orders_in(self, wanted: frozenset[str], unclassified: bool) -> tuple[MedicationOrder, ...]:
        orders = self.orders
        if len(orders) < BY_DRUG_FROM:
            return tuple(
                [
                    o
                    for o in orders
                    if not wanted.isdisjoint(o.drug.drug_classes)
                    or (unclassified and not o.drug.drug_classes)
                ]
            )
        hits = [
            positions
            for drug, positions in self._by_drug.values()
            if not wanted.isdisjoint(drug.drug_classes) or (unclassified and not drug.drug_classes)
        ]
        if not hits:
            return ()
        if len(hits) == 1:
            return tuple([orders[i] for i in hits[0]])
        return tuple([orders[i] for i in sorted(chain.from_iterable(hits))])

    @cached_property
    def _by_drug(self) -> dict[int, tuple[DrugInfo, list[int]]]:
        """The orders' positions per drug (the terminology's DrugInfo, by identity): a chart
        orders a few drugs many times, so a class question reads the drugs, not every order."""
        groups: dict[int, tuple[DrugInfo, list[int]]] = {}
        for i, order in enumerate(self.orders):
            group = groups.get(id(order.drug))
            if group is None:
                groups[id(order.drug)] = (order.drug, [i])
            else:
                group[1].append(i)
        return groups
