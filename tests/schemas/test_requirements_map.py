"""The requirements checklist names a real test (or a reason) for every service SHALL."""

from __future__ import annotations

import ast
import csv
import json
from pathlib import Path

from .helpers import REQUIREMENTS_CSV

HERE = Path(__file__).parent
MAP_FILE = HERE / "requirements_map.json"


def _service_shall_ids() -> set[str]:
    with REQUIREMENTS_CSV.open(newline="", encoding="utf-8") as handle:
        return {
            row["ID"]
            for row in csv.DictReader(handle)
            if row["Conformance"] in ("SHALL", "SHALL NOT") and "Service" in row["Actors"]
        }


def _test_names() -> set[str]:
    names: set[str] = set()
    for module in HERE.glob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def _entries() -> dict[str, list[str]]:
    raw = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    return {
        key: value if isinstance(value, list) else [value]
        for key, value in raw.items()
        if not key.startswith("_")
    }


def test_every_service_shall_requirement_is_listed() -> None:
    assert sorted(_service_shall_ids() - set(_entries()), key=int) == []


def test_requirements_map_lists_only_service_shall_requirements() -> None:
    assert sorted(set(_entries()) - _service_shall_ids(), key=int) == []


def test_requirements_map_names_existing_tests_or_gives_a_reason() -> None:
    known = _test_names()
    for requirement, targets in _entries().items():
        for target in targets:
            if target.startswith("not-schema: "):
                assert len(target) > len("not-schema: ") + 10, requirement
            else:
                assert target in known, f"requirement {requirement}: no test named {target}"
