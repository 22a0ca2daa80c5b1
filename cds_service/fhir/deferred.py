"""A prefetched Bundle of Observations kept as bytes, decoded the first time anyone reads it.

`jsonbody.loads_hook` leaves an object under a lazy prefetch key as ``msgspec.Raw``.
`defer` reads only its skeleton (Bundle type, entry types, ids and subject references, link
relations) with a typed decoder that skips every other field, and defers the rest when the
value is a Bundle whose entries are all Observations, with no ``next`` link and no
OperationOutcome. Anything else (or any typing surprise) is decoded at once and takes the
ordinary path, so what a call sees is unchanged: the skeleton's ids let the picture drop
duplicates exactly as before, and its subjects drop another patient's Observations
(`picture/identity.py`) without decoding them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, Literal, overload

import msgspec

from cds_service.fhir.bundle import flatten
from cds_service.fhir.elements import BY_IDENTIFIER

_decode = msgspec.json.Decoder().decode


class _Reference(msgspec.Struct):
    reference: Any = None
    identifier: Any = None  # only to tell "names someone by identifier alone" (identity.py)


def _subject(ref: _Reference | None) -> Any:
    """What identity.py compares: the reference, or its marker for an identifier alone."""
    if ref is None:
        return None
    if ref.reference is None and ref.identifier:
        return BY_IDENTIFIER
    return ref.reference


class _Head(msgspec.Struct):
    # Any other type (or none) fails the typed decode, and the value is decoded at once.
    resourceType: Literal["Observation"]  # noqa: N815  (FHIR's name)
    id: Any = None
    subject: _Reference | None = None  # whose Observation: picture/identity.py


class _Entry(msgspec.Struct):
    resource: _Head | None = None


class _Link(msgspec.Struct):
    relation: Any = None


class _Skeleton(msgspec.Struct):
    resourceType: str | None = None  # noqa: N815
    entry: list[_Entry] | None = None
    link: list[_Link] | None = None


_skeleton = msgspec.json.Decoder(_Skeleton).decode


class DeferredBundle(Sequence[dict[str, Any]]):
    """The entry resources of a raw Bundle of Observations, decoded on first access."""

    __slots__ = ("_raw", "ids", "subjects", "_resources")
    created_count = 0  # how many Bundles were deferred, and how many of them decoded (tests)
    decoded_count = 0

    def __init__(
        self, raw: msgspec.Raw, ids: tuple[Any, ...], subjects: tuple[Any, ...] = ()
    ) -> None:
        self._raw: msgspec.Raw | None = raw
        self.ids = ids  # each entry resource's ``id`` as sent, in order
        self.subjects = subjects or (None,) * len(ids)  # each one's subject.reference, or None
        self._resources: tuple[dict[str, Any], ...] | None = None
        type(self).created_count += 1

    @property
    def decoded(self) -> bool:
        """True once the bytes have been decoded."""
        return self._resources is not None

    def resources(self) -> tuple[dict[str, Any], ...]:
        """The entry resources (what `bundle.flatten` gives for the decoded Bundle)."""
        if self._resources is None:
            raw = self._raw
            assert raw is not None
            try:
                value = _decode(raw)
            except (msgspec.MsgspecError, RecursionError):
                value = json.loads(bytes(raw))  # what the whole-body fallback would have built
            self._resources = flatten(value)
            self._raw = None
            type(self).decoded_count += 1
        return self._resources

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.resources())

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[dict[str, Any], ...]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | tuple[dict[str, Any], ...]:
        return self.resources()[index]

    def __repr__(self) -> str:
        return f"DeferredBundle({len(self.ids)} resources, decoded={self.decoded})"


def defer(raw: msgspec.Raw) -> DeferredBundle | Any:
    """A DeferredBundle for a plain Bundle of Observations; otherwise the decoded value."""
    try:
        skeleton = _skeleton(raw)  # every entry resource an Observation, or it fails
    except (msgspec.MsgspecError, RecursionError):
        return _decoded(raw)
    heads = [e.resource for e in skeleton.entry or () if e.resource is not None]
    ids = tuple([h.id for h in heads])
    if (
        skeleton.resourceType != "Bundle"
        or not ids
        or any(link.relation == "next" for link in skeleton.link or [])
    ):
        return _decoded(raw)
    subjects = tuple([_subject(h.subject) for h in heads])
    return DeferredBundle(raw, ids, subjects)


def _decoded(raw: msgspec.Raw) -> Any:
    try:
        return _decode(raw)
    except (msgspec.MsgspecError, RecursionError):
        return json.loads(bytes(raw))
