"""The rule vocabulary: every name is known, and an unknown one fails loudly, never False."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from cds_service.picture.orders import build_order
from cds_service.rules import load_rules
from cds_service.rules._names import check_module
from cds_service.terminology import SITE_CATEGORIES, Terminology, TerminologyError
from cds_service.vocabulary import (
    DRUG_CLASSES,
    SITES,
    VALUE_SETS,
    UnknownName,
    check_terminology,
    known,
)


@pytest.fixture(scope="module")
def term() -> Terminology:
    return Terminology.load()


def _order(term: Terminology, text: str) -> Any:
    res = {
        "resourceType": "MedicationRequest",
        "id": "vocabulary-probe",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": text},
    }
    return build_order(res, {}, term, is_draft=True, in_scope=True)


def test_is_a_answers_known_classes_and_raises_for_a_typo(term: Terminology) -> None:
    order = _order(term, "clobetasol propionate 0.05% ointment")
    assert order.is_a("tcs")
    assert not order.is_a("tci")
    with pytest.raises(UnknownName, match="tsc"):
        order.is_a("tsc")


def test_orders_in_raises_for_a_typo(term: Terminology) -> None:
    from cds_service.picture import PatientPicture
    from tests.conftest import NOW

    picture = PatientPicture(
        hook="order-sign",
        now=NOW,
        terminology=term,
        patient_id="p",
        birth_date=None,
        gender=None,
        orders=(_order(term, "tacrolimus 0.1% ointment"),),
    )
    assert len(picture.orders_in("tci")) == 1
    with pytest.raises(UnknownName, match="tcl"):
        picture.orders_in("tcl")


def test_the_vocabulary_names_what_the_terminology_data_has(term: Terminology) -> None:
    assert DRUG_CLASSES.keys() == term.drug_classes
    assert VALUE_SETS == term.names
    assert SITES == frozenset(SITE_CATEGORIES)
    check_terminology(term)  # what start-up runs


def test_start_up_refuses_a_class_the_vocabulary_does_not_name() -> None:
    data = SimpleNamespace(drug_classes=frozenset({*DRUG_CLASSES, "antipsychotic"}))
    with pytest.raises(TerminologyError, match="antipsychotic"):
        check_terminology(data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "name"), [("drug class", "tcs"), ("value set", "cellulitis"), ("site", "eyelid")]
)
def test_known_names_pass_and_typos_raise(kind: str, name: str) -> None:
    known(kind, [name])
    with pytest.raises(UnknownName, match=f"unknown {kind}: {name}x"):
        known(kind, [name, name + "x"])


def _module(tmp_path: Path, source: str) -> ModuleType:
    name = f"rule_{tmp_path.name}"  # one per test: check_module remembers modules it passed
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(o):\n    return o.is_a('tsc')\n", ":2: unknown drug class: tsc"),
        ("HELD = ('tcs', 'jak-orl')\ndef f(p):\n    return drafts_of(p, *HELD)\n", "jak-orl"),
        ("def f(p):\n    return has_active(p, 'eczema-herpticum')\n", "value set: eczema-herp"),
        ("VS = 'lab-cbx'\ndef f(p):\n    return results(p, VS)\n", "unknown value set: lab-cbx"),
        ("def f(o):\n    return 'eyelids' in o.sites\n", "unknown site: eyelids"),
    ],
)
def test_a_rule_module_with_an_unknown_name_fails_when_checked(
    tmp_path: Path, source: str, message: str
) -> None:
    module = _module(tmp_path, "drafts_of = has_active = results = None\n" + source)
    with pytest.raises(UnknownName, match=message.replace(":2:", ":3:")):
        check_module(module)


def test_a_rule_module_with_known_names_passes(tmp_path: Path) -> None:
    source = (
        "def f(o, p):\n    return o.is_a('tcs') and 'eyelid' in o.sites and p.has_active('tinea')\n"
    )
    check_module(_module(tmp_path, source))


def test_every_rule_module_was_checked_when_it_registered() -> None:
    from cds_service.rules import _names

    rules = load_rules()
    modules = {r.evaluate.__module__ for r in rules.values()}
    assert modules <= _names._checked
    assert "cds_service.rules._topical" in _names._checked  # helpers they import, too
