"""What `resolve_prefetch` hands the pipeline: resources per prefetch key, and each key's state.

A key may hold a `DeferredBundle` (Observations still as bytes: `deferred.py`). The layers above
fhir/ never look for one: `plain()` is every decoded resource (what medication references are
resolved against), `for_picture()` the same with each deferred Bundle in its key's place, for
the picture builder to read lazily.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cds_service.fhir.deferred import DeferredBundle


class KeyState(enum.StrEnum):
    """Where a prefetch key's data came from, or why there is none."""

    PROVIDED = "provided"
    NULL = "null"
    EMPTY = "empty"
    FETCHED = "fetched"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class ResolvedData:
    """Resources per prefetch key, the key's state, and reasons for keys that are not complete."""

    resources: Mapping[str, Sequence[dict[str, Any]]]  # a tuple, or a DeferredBundle
    states: Mapping[str, KeyState]
    problems: Mapping[str, str]
    _split: list[Any] = field(default_factory=list, init=False, compare=False, repr=False)

    def plain(self) -> list[dict[str, Any]]:
        """Every decoded resource, in key order (deferred Bundles left out, still bytes)."""
        return self._flat()[0]

    def for_picture(self) -> list[Any]:
        """Every resource in key order, each deferred Bundle in its key's place."""
        resources, deferred = self._flat()
        return deferred if deferred is not None else resources

    def _flat(self) -> tuple[list[dict[str, Any]], list[Any] | None]:
        if not self._split:
            resources: list[dict[str, Any]] = []
            deferred: list[Any] | None = None
            for rs in self.resources.values():
                if isinstance(rs, DeferredBundle):
                    deferred = deferred if deferred is not None else list(resources)
                    deferred.append(rs)
                else:
                    resources.extend(rs)
                    if deferred is not None:
                        deferred.extend(rs)
            self._split.append((resources, deferred))
        found: tuple[list[dict[str, Any]], list[Any] | None] = self._split[0]
        return found
