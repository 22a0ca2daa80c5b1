"""The shortcuts taken for rendering speed give what the plain library calls give."""

from __future__ import annotations

import copy
import os
import re
import uuid
from typing import Any

import pytest

from cds_service import cards, cardtext
from cds_service.suggestions import json_copy

_LEGACY_PLURAL = re.compile(r"(?<![\d.,\\])(\d+(?:\.\d+)?) ((?:[a-z-]+ )?)([a-z]+)\(s\)")


def _legacy_agreement(text: str) -> str:
    """number_agreement as it was: both patterns on every text."""
    text = _LEGACY_PLURAL.sub(lambda m: f"{m[1]} {m[2]}{m[3]}{'' if m[1] == '1' else 's'}", text)
    return cardtext._ONE.sub(r"1 \1\2", text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no counts here",
        "1 days",
        "x1 days",
        "21 days, 1 weeks and 1 topical courses",
        "2 episode(s), 1 episode(s) and 0.5 dose(s)",
        "1 skin-infection episode(s) in 1 years",
        "(s) alone, 1 (s), 1 cream(s)",
        "10\\.1 days; 1\\ days",
    ],
)
def test_number_agreement_skips_only_text_without_a_match(text: str) -> None:
    assert cardtext.number_agreement(text) == _legacy_agreement(text)


def test_random_uuid_is_what_uuid4_writes_for_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for _ in range(2000):
        raw = os.urandom(16)
        monkeypatch.setattr(cards.os, "urandom", lambda n, raw=raw: raw[:n])
        made = cards.random_uuid()
        assert made == str(uuid.UUID(bytes=raw, version=4))
        assert uuid.UUID(made).version == 4 and uuid.UUID(made).variant == uuid.RFC_4122


def test_a_response_uuid_source_splits_one_read_into_uuid4s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[bytes] = []
    real = os.urandom

    def urandom(n: int) -> bytes:
        reads.append(real(n))
        return reads[-1]

    monkeypatch.setattr(cards.os, "urandom", urandom)
    source = cards.UuidSource()
    made = [source() for _ in range(2 * cards._BATCH + 1)]
    assert len(reads) == 3 and all(len(r) == 16 * cards._BATCH for r in reads)
    raw = b"".join(reads)
    assert made == [str(uuid.UUID(bytes=raw[16 * i : 16 * i + 16], version=4)) for i in range(33)]


def test_random_uuids_differ() -> None:
    made = {cards.random_uuid() for _ in range(5000)}
    source = cards.UuidSource()
    made |= {source() for _ in range(5000)}
    assert len(made) == 10000
    assert {uuid.UUID(u).version for u in made} == {4}


def _containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for v in value.values() for i in _containers(v))]
    if isinstance(value, list):
        return [id(value), *(i for v in value for i in _containers(v))]
    return []


def test_json_copy_is_a_deep_copy_sharing_no_container() -> None:
    odd = {"a set": {1, 2}}  # not JSON: copied by copy.deepcopy
    draft: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "dosageInstruction": [{"text": "thin layer", "doseAndRate": {"doseQuantity": 1.5}}],
        "n": [1, True, None, "x", [[]], {}],
        "odd": odd,
    }
    copied = json_copy(draft)
    assert copied == copy.deepcopy(draft)
    assert not set(_containers(copied)) & set(_containers(draft))
    assert copied["odd"]["a set"] is not odd["a set"]
