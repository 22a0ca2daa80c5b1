"""A read-only sequence whose facts are built from raw resources on first use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar, overload

T = TypeVar("T")


class ObservationBatch(Protocol):
    """Observations named by id and subject, decoded only when a rule reads them (a prefetched
    Bundle kept as bytes: fhir/deferred.py). The builder drops duplicates and another patient's
    entries by `ids` and `subjects` without decoding the rest."""

    ids: Sequence[Any]
    subjects: Sequence[Any]

    def resources(self) -> Sequence[Mapping[str, Any]]:
        """The decoded resources, in entry order."""
        ...


class LazyFacts(Sequence[T], Generic[T]):
    """Facts built by `build` from `raw` the first time anyone reads them (once per call).

    A chart may carry thousands of Observations that only a few rules, on a few drafts, look
    at: building them up front cost a fifth of a 10,000-resource call. `build` returns None for
    a resource it cannot read, which is skipped. Compares equal to the tuple of its facts.
    """

    __slots__ = ("_raw", "_build", "_facts")

    def __init__(
        self,
        raw: Iterable[Mapping[str, Any]] | Callable[[], Iterable[Mapping[str, Any]]],
        build: Callable[[Mapping[str, Any]], T | None],
    ) -> None:
        self._raw: Any = raw  # or a function giving them (so decoding can be deferred too)
        self._build = build
        self._facts: tuple[T, ...] | None = None

    def _all(self) -> tuple[T, ...]:
        facts = self._facts
        if facts is None:
            raw, build = self._raw, self._build
            raw = raw() if callable(raw) else raw
            facts = self._facts = tuple(f for f in map(build, raw) if f is not None)
            self._raw = None  # the picture no longer needs the resources
        return facts

    @property
    def built(self) -> bool:
        """True once the facts have been built."""
        return self._facts is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self._all()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyFacts):
            other = other._all()
        return isinstance(other, tuple) and self._all() == other

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"LazyFacts({list(self._all())!r})" if self.built else "LazyFacts(<not built>)"
