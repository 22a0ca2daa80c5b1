"""The words suggestion builders write come from `cards/_suggestions.toml`: start-up refuses a
missing text, an undeclared one, or a placeholder the builder does not declare (naming file
and `<key>/<text>`); and with every text marked, every fixture's actions carry the mark."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cds_service.cards import CardFileError
from cds_service.runtime import REPO_CARDS, Runtime
from cds_service.suggestions import _texts
from cds_service.suggestions._texts import TEXTS_FILE
from tests.conftest import (
    FIXTURES,
    SERVICE_FOR_HOOK,
    load_fixture,
    make_settings,
    pinned_clock,
    post_hook,
)
from tests.hookcall import HookCaller

MARK = "⟦"


def _cards(tmp_path: Path) -> Path:
    target = tmp_path / "cards"
    shutil.copytree(REPO_CARDS, target)
    return target


def _write(path: Path, tables: dict[str, dict[str, str]]) -> None:
    lines = []
    for key, table in tables.items():
        lines.append(f"[{json.dumps(key)}]")
        lines += [f"{json.dumps(name)} = {json.dumps(text)}" for name, text in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _tables(cards: Path) -> dict[str, dict[str, str]]:
    return tomllib.loads((cards / TEXTS_FILE).read_text(encoding="utf-8"))


def _start(tmp_path: Path, cards: Path) -> Runtime:
    return Runtime.start(make_settings(tmp_path, cards_dir=str(cards)), clock=pinned_clock)


def test_a_missing_text_stops_start_up_naming_file_and_key(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    tables = _tables(cards)
    del tables["order-emollient"]["action"]
    _write(cards / TEXTS_FILE, tables)
    with pytest.raises(CardFileError, match=r"_suggestions\.toml: order-emollient/action: missing"):
        _start(tmp_path, cards)


@pytest.mark.parametrize(
    ("key", "text", "error"),
    [
        (
            "order-emollient",
            "Order {grams} g for {age}",
            r"order-emollient/action: placeholder \{age\}",
        ),
        ("common", "Remove {order}", r"common/delete: placeholder \{order\}"),
        ("shorten-course", "Set {days:d} days", r"shorten-course/action: .*plain"),
    ],
)
def test_an_unknown_placeholder_stops_start_up(
    tmp_path: Path, key: str, text: str, error: str
) -> None:
    cards = _cards(tmp_path)
    tables = _tables(cards)
    name = "delete" if key == "common" else "action"
    tables[key][name] = text
    _write(cards / TEXTS_FILE, tables)
    with pytest.raises(CardFileError, match=rf"_suggestions\.toml: {error}"):
        _start(tmp_path, cards)


def test_an_undeclared_text_or_key_stops_start_up(tmp_path: Path) -> None:
    cards = _cards(tmp_path)
    tables = _tables(cards)
    tables["order-emollient"]["note"] = "Bland"
    _write(cards / TEXTS_FILE, tables)
    with pytest.raises(CardFileError, match=r"order-emollient/note: a text the builder does not"):
        _start(tmp_path, cards)
    del tables["order-emollient"]["note"]
    tables["order-moisturiser"] = {"action": "Order"}
    _write(cards / TEXTS_FILE, tables)
    with pytest.raises(CardFileError, match=r"order-moisturiser: no builder declares"):
        _start(tmp_path, cards)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _actions(runtime: Runtime) -> Iterator[tuple[str, dict[str, Any], set[str]]]:
    """(fixture, action, every string of the request) for every action of every fixture."""
    for path in sorted(FIXTURES.glob("*/*.json")):
        body = load_fixture(path)
        if body.get("hook") not in SERVICE_FOR_HOOK:
            continue
        caller = HookCaller(runtime)
        try:
            answer = post_hook(caller, body).get_json()
        finally:
            caller.close()
        for card in answer.get("cards", []):
            for suggestion in card.get("suggestions", []):
                for action in suggestion["actions"]:
                    yield f"{path.parent.name}/{path.stem}", action, set(_strings(body))


def _written(resource: dict[str, Any]) -> Iterator[str]:
    """The words a resource carries: dosage text and patient instruction, notes, and the name
    of a test or product with no code (a coded one is named next to its code, in Python)."""
    for dosage in resource.get("dosageInstruction") or []:
        for key in ("text", "patientInstruction"):
            if key in dosage:
                yield dosage[key]
    yield from (note["text"] for note in resource.get("note") or [])
    for key in ("code", "medicationCodeableConcept"):
        concept = resource.get(key)
        if isinstance(concept, dict) and "coding" not in concept:
            yield concept["text"]


def test_every_description_instruction_and_note_comes_from_the_texts_file(tmp_path: Path) -> None:
    """Every text marked: every description, instruction, note and uncoded order name of every
    fixture's actions carries the mark (words written in Python would not), unless it is the
    draft's own."""
    cards = _cards(tmp_path)
    tables = {
        key: {name: f"{MARK}{key}/{name} {text}" for name, text in table.items()}
        for key, table in _tables(cards).items()
    }
    _write(cards / TEXTS_FILE, tables)
    runtime = _start(tmp_path, cards)
    try:
        seen = written = 0
        for where, action, request in _actions(runtime):
            seen += 1
            assert MARK in action["description"], f"{where}: {action['description']}"
            for text in _written(action.get("resource", {})):
                # the service's words are marked; the draft's own, echoed, are the request's
                assert MARK in text or text in request, f"{where}: {text}"
                written += MARK in text
    finally:
        runtime.store.dispose()
    assert seen > 100 and written > 50  # the fixtures offer many suggestions: the check ran


def test_a_builder_fills_a_text_with_exactly_its_declared_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(_texts._DECLARED, "try-key", {"action": frozenset({"grams"})})
    texts = _texts.SuggestionTexts({"try-key": {"action": "Order {grams} g"}}, tmp_path)
    fill = _texts.bind("try-key", lambda **v: _texts.say("action", **v), texts)
    assert fill(grams=30) == "Order 30 g"
    with pytest.raises(TypeError, match="try-key/action"):
        fill(grams=30, age=4)  # a value the declaration does not name
    with pytest.raises(TypeError, match="try-key/action"):
        fill()
    with pytest.raises(LookupError):
        _texts.say("action", grams=30)  # outside a bound builder
