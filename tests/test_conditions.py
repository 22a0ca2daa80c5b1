"""One membership rule for conditions and reasons: code OR text, with negation; indication."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import build_picture
from cds_service.picture.conditions import concept_in
from cds_service.terminology import Terminology
from cds_service.vocabulary import active_in, for_eczema_or_unstated, has_active, recorded_in
from tests.conftest import NOW

SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOCAL = "urn:oid:1.2.3.4.5.local-problem"


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return Terminology.load()


def _condition(cid: str, text: str | None = None, *codings: Any, status: str = "active") -> Any:
    keys = ("system", "code", "display")
    code: dict[str, Any] = {"coding": [dict(zip(keys, c, strict=False)) for c in codings]}
    if text is not None:
        code["text"] = text
    return {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {"coding": [{"code": status}]},
        "code": code,
        "subject": {"reference": "Patient/p1"},
    }


def _draft(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": "clobetasol propionate 0.05% ointment"},
        **extra,
    }


def _picture(terminology: Terminology, resources: list[Any], drafts: list[Any] = ()) -> Any:  # type: ignore[assignment]
    context = {
        "patientId": "p1",
        "userId": "Practitioner/u",
        "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": d} for d in drafts]},
    }
    return build_picture(
        hook="order-sign",
        context=context,
        resources=list(resources),
        medications={},
        terminology=terminology,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("text", "codings", "expected"),
    [
        (None, [(SNOMED, "200775004")], True),  # SNOMED child of 24079001, code only
        (None, [(SNOMED, "402196005")], True),
        (None, [(ICD, "L20.81")], True),
        (None, [(ICD, "L2081")], True),
        (None, [(ICD, "l20.89")], True),
        ("Infantile eczema", [], True),
        (None, [(LOCAL, "X1", "Flexural eczema")], True),  # a display of an unknown code
        ("Eczema", [(ICD, "L30.8", "Other specified dermatitis")], True),  # wrong code, right text
        ("No eczema", [], False),
        ("Eczema ruled out", [], False),
        ("Family history of eczema", [(ICD, "Z84.0")], False),
        ("Atopic dermatitis - ruled out", [(SNOMED, "24079001")], False),  # own text overrules
        ("? eczema", [(SNOMED, "24079001")], True),  # doubt in text does not undo the code
        ("? eczema", [], False),
        ("Seborrhoeic eczema", [(ICD, "L21.9")], False),
        ("Allergic contact dermatitis", [(SNOMED, "238575004")], False),
    ],
)
def test_atopic_dermatitis_membership(
    terminology: Terminology, text: str | None, codings: list[Any], expected: bool
) -> None:
    picture = _picture(terminology, [_condition("c1", text, *codings)])
    assert picture.has_active("atopic-dermatitis") is expected
    assert picture.has_eczema() is expected


def test_resolved_text_only_condition_is_recorded_but_not_active(terminology: Terminology) -> None:
    picture = _picture(terminology, [_condition("h", "Eczema herpeticum", status="resolved")])
    assert [c.id for c in picture.recorded_conditions("eczema-herpeticum")] == ["h"]
    assert picture.active_conditions("eczema-herpeticum") == ()


def test_vocabulary_questions_are_the_picture_rule(terminology: Terminology) -> None:
    resources = [
        _condition("a", "Eczema herpeticum"),
        _condition("b", "No eczema herpeticum"),
        _condition("c", None, (SNOMED, "186535001"), status="resolved"),
    ]
    picture = _picture(terminology, resources)
    assert [c.id for c in active_in(picture, "eczema-herpeticum")] == ["a"]
    assert [c.id for c in recorded_in(picture, "eczema-herpeticum")] == ["a", "c"]


@pytest.mark.parametrize(
    ("condition", "active"),
    [
        (_condition("t", "Eczema herpeticum"), True),  # text only
        (_condition("k", None, (SNOMED, "186535001")), True),  # code only
        (_condition("n", "No eczema herpeticum", (SNOMED, "186535001")), False),  # text denies
        (_condition("r", "Eczema herpeticum", status="resolved"), False),
    ],
)
def test_active_in_a_value_set_has_one_meaning(
    terminology: Terminology, condition: Any, active: bool
) -> None:
    """Code OR text, negation-aware: every way of asking gives the same answer."""
    picture = _picture(terminology, [condition])
    answers = {
        bool(active_in(picture, "eczema-herpeticum")),
        has_active(picture, "eczema-herpeticum"),
        picture.has_active("eczema-herpeticum"),
        bool(picture.active_conditions("eczema-herpeticum")),
    }
    assert answers == {active}


def test_answers_are_memoised_per_distinct_codings_and_text(terminology: Terminology) -> None:
    resources = [_condition(f"c{i}", "Infantile eczema") for i in range(50)]
    picture = _picture(terminology, resources)
    assert len(picture.active_conditions("atopic-dermatitis")) == 50
    assert len(picture._memo["concept:atopic-dermatitis"]) == 1


def test_unhashable_codings_are_answered_without_the_memo(terminology: Terminology) -> None:
    vs = terminology.value_set("atopic-dermatitis")
    assert concept_in(vs, [[SNOMED, "24079001", None]], None)  # type: ignore[list-item]
    picture = _picture(terminology, [])
    assert picture.concept_in("atopic-dermatitis", [[SNOMED, "24079001", None]], None)  # type: ignore[arg-type]


LICHEN = {"coding": [{"system": SNOMED, "code": "25674000", "display": "Lichen sclerosus"}]}
AD = {"coding": [{"system": SNOMED, "code": "24079001", "display": "Atopic dermatitis"}]}


@pytest.mark.parametrize(
    ("extra", "other"),
    [
        ({"reasonCode": [LICHEN]}, True),
        ({"reasonCode": [{"text": "Lichen planus, oral"}]}, True),
        ({"reasonCode": [{"coding": [{"system": ICD, "code": "L40.0"}]}]}, True),
        ({"reasonCode": [{"text": "Discoid lupus"}]}, True),
        ({"reasonCode": [LICHEN, AD]}, False),  # eczema among the reasons: eczema treatment
        ({"reasonCode": [{"text": "Lichen sclerosus ruled out"}]}, False),
        ({"reasonCode": [AD]}, False),
        ({}, False),
        ({"reasonReference": [{"reference": "Condition/ls"}]}, True),
        ({"reasonReference": [{"reference": "Condition/missing"}]}, False),
    ],
)
def test_indication_other(terminology: Terminology, extra: dict[str, Any], other: bool) -> None:
    resources = [
        _condition("ad", "Atopic dermatitis"),
        _condition("ls", "Lichen sclerosus of vulva"),
    ]
    picture = _picture(terminology, resources, [_draft(**extra)])
    assert picture.indication_other(picture.drafts[0]) is other
    assert picture.has_eczema(picture.drafts[0])  # eczema is on the problem list either way


def test_reason_text_passes_the_gate_without_a_condition(terminology: Terminology) -> None:
    picture = _picture(terminology, [], [_draft(reasonCode=[{"text": "Infantile eczema"}])])
    assert picture.has_eczema(picture.drafts[0])
    denied = _picture(terminology, [], [_draft(reasonCode=[{"text": "not eczema"}])])
    assert not denied.has_eczema(denied.drafts[0])


def test_reason_reference_to_a_refuted_condition_does_not_count(terminology: Terminology) -> None:
    refuted = _condition("ad", "Atopic dermatitis")
    refuted["verificationStatus"] = {"coding": [{"code": "refuted"}]}
    draft = _draft(reasonReference=[{"reference": "Condition/ad"}])
    picture = _picture(terminology, [refuted], [draft])
    assert not picture.has_eczema(picture.drafts[0])


@pytest.mark.parametrize(
    ("conditions", "reason", "counts"),
    [
        ([], {}, True),  # no reason recorded
        (
            [_condition("e", "Atopic eczema")],
            {"reasonReference": [{"reference": "Condition/e"}]},
            True,
        ),
        ([_condition("a", "Asthma")], {"reasonReference": [{"reference": "Condition/a"}]}, False),
        ([], {"reasonCode": [{"text": "flare of atopic eczema"}]}, True),
        ([], {"reasonCode": [{"text": "eczema ruled out, asthma"}]}, False),
    ],
)
def test_a_course_is_for_eczema_by_the_condition_reading(
    terminology: Terminology, conditions: list[Any], reason: dict[str, Any], counts: bool
) -> None:
    """escalate-refractory and oral-corticosteroid-for-eczema count earlier courses alike: a
    referenced Condition that says eczema only in its text counts (it was codes-only)."""
    picture = _picture(terminology, conditions, [_draft(**reason)])
    assert for_eczema_or_unstated(picture, picture.drafts[0]) is counts


def test_selection_asks_each_distinct_concept_once_and_keeps_chart_order(
    terminology: Terminology, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cds_service.picture import conditions as module

    resources = [
        _condition(f"c{i}", text, *codes, status=status)
        for i, (text, codes, status) in enumerate(
            [("Eczema", (), "active"), ("Asthma", ((SNOMED, "195967001"),), "active")] * 3
            + [("Atopic dermatitis", (), "resolved"), ("No eczema", (), "active")]
        )
    ]
    asked: list[str | None] = []
    real = module.concept_in

    def counting(vs: Any, found: Any, label: str | None) -> bool:
        asked.append(label)
        return real(vs, found, label)

    monkeypatch.setattr(module, "concept_in", counting)
    picture = _picture(terminology, resources)
    active = picture.active_conditions("atopic-dermatitis")
    assert [c.id for c in active] == ["c0", "c2", "c4"]
    assert asked == ["Eczema", "Asthma", "No eczema"]
    assert [c.id for c in picture.recorded_conditions("atopic-dermatitis")] == [
        "c0", "c2", "c4", "c6"
    ]  # fmt: skip


def test_selection_without_an_index_for_hand_built_codings(terminology: Terminology) -> None:
    picture = _picture(terminology, [_condition("c1", "Eczema"), _condition("c2", "Asthma")])
    facts = tuple(c.__class__(**{**_fields(c), "codings": [list(x) for x in c.codings]})
                  for c in picture.conditions)  # fmt: skip
    hand_built = picture.__class__(**{**_picture_fields(picture), "conditions": facts})
    assert [c.id for c in hand_built.active_conditions("atopic-dermatitis")] == ["c1"]


def _fields(fact: Any) -> dict[str, Any]:
    return {f: getattr(fact, f) for f in fact.__struct_fields__}


def _picture_fields(picture: Any) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(picture, f.name) for f in dataclasses.fields(picture) if f.init}


@pytest.mark.parametrize("count", [8, 64, 200])
def test_has_active_answers_as_the_selection_does(terminology: Terminology, count: int) -> None:
    """A long problem list answers `has_active` at the first concept in the set; the answer is
    the selection's, whether the selection was made before or not at all."""
    kinds = [
        ("Eczema", (), "resolved"),
        ("Asthma", ((SNOMED, "195967001"),), "active"),
        ("No eczema", (), "active"),
        ("Tinea corporis", (), "active"),
        ("Atopic dermatitis", (), "active"),
    ]
    resources = [
        _condition(f"c{i}", text, *codes, status=status)
        for i, (text, codes, status) in ((i, kinds[i % len(kinds)]) for i in range(count))
    ]
    names = ("atopic-dermatitis", "tinea", "eczema-herpeticum", "scabies")
    for name in names:
        expected = bool(_picture(terminology, resources).active_conditions(name))
        assert _picture(terminology, resources).has_active(name) is expected
        picture = _picture(terminology, resources)
        assert picture.has_active(name) is expected  # then the selection, then again
        assert bool(picture.active_conditions(name)) is expected
        assert picture.has_active(name) is expected
    assert _picture(terminology, resources).has_active("atopic-dermatitis")
    assert not _picture(terminology, resources).has_active("scabies")
