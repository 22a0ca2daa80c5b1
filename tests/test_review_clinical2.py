"""Clinical review, second pass: Oracle Health (Cerner), UK and lab-feed shapes of the same
facts the rules read (a frequency written in the sig or as a timing code, screening results
named by their lab abbreviations or coded only)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import load_fixture, post_hook

PID = "p-clin2"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
INCOMPLETE = "tcs-incomplete-prescription"
JAK = "oral-jak-screening"


def _bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def _eczema() -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": "ad",
        "subject": {"reference": f"Patient/{PID}"},
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {
            "coding": [{"system": "http://snomed.info/sct", "code": "24079001"}],
            "text": "Atopic dermatitis",
        },
    }


def _draft(name: str, dosage: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PID}"},
        "authoredOn": "2026-11-22",
        "medicationCodeableConcept": {"text": name},
        "dosageInstruction": [dosage],
        **extra,
    }


def _call(
    hooks: Any,
    drafts: list[dict[str, Any]],
    observations: tuple[dict[str, Any], ...] = (),
    conditions: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    body = {
        "hook": "order-select",
        "hookInstance": "0d6f1f4e-8f0c-4a59-9f43-clin2clin2cl",
        "context": {
            "userId": "Practitioner/1",
            "patientId": PID,
            "selections": ["MedicationRequest/d1"],
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": d} for d in drafts],
            },
        },
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": PID, "birthDate": "1988-04-02"},
            "conditions": _bundle(conditions or [_eczema()]),
            "medications": _bundle([]),
            "observations": _bundle(list(observations)),
        },
    }
    response = post_hook(hooks, body)
    assert response.status_code == 200
    cards: list[dict[str, Any]] = response.get_json()["cards"]
    return cards


def _summaries(cards: list[dict[str, Any]], rule: str) -> list[str]:
    return [c["summary"] for c in cards if c["source"]["topic"]["code"] == rule]


TUBE = {"dispenseRequest": {"quantity": {"value": 1, "unit": "tube(s)"}}}


def test_frequency_written_in_the_sig_or_as_a_timing_code_is_given(hooks: Any) -> None:
    """Oracle Health writes 'BID' in timing.code and the sig ('1 app Topical BID x 14 day(s)'),
    EMIS 'Apply thinly twice a day': the order has a frequency; only its absence asks for one."""
    triamcinolone = "triamcinolone 0.1% topical ointment"
    bid = {
        "coding": [
            {"system": "urn:oid:2.16.840.1.113883.6.1043", "code": "696530", "display": "BID"}
        ]
    }
    given = [
        {"text": "1 app Topical BID x 14 day(s)"},
        {"text": "Apply thinly twice a day for 14 days"},
        {"text": "apply b.i.d. for 7 days"},
        {"text": "Apply BD for 2 weeks"},
        {"text": "apply once daily for 10 days"},
        {"text": "apply 2 times a day x 7 days"},
        {"text": "apply at bedtime for 14 days"},
        {"text": "Apply for 14 days", "timing": {"code": bid}},
        {"text": "Apply for 14 days", "timing": {"code": {"coding": [{"code": "TID"}]}}},
    ]
    for dosage in given:
        cards = _call(hooks, [_draft(triamcinolone, dosage, **TUBE)])
        assert not any("frequency" in s for s in _summaries(cards, INCOMPLETE)), dosage
    for dosage in (
        {"text": "Apply for 14 days"},
        {"text": "Apply to the trunk for 1 week"},
        {"text": "Apply when needed for 14 days", "timing": {"code": {"text": "PRN"}}},
    ):
        cards = _call(hooks, [_draft(triamcinolone, dosage, **TUBE)])
        assert _summaries(cards, INCOMPLETE) == ["Complete the steroid order: add the frequency"], (
            dosage
        )


def test_bedtime_given_as_a_timing_code_is_bedtime(hooks: Any) -> None:
    """A sedating antihistamine timed by timing.code alone (FHIR's BED, Oracle Health's QHS)
    is at bedtime: the card asking to give it at bedtime stays silent."""
    rule = "antihistamine-sedating-bedtime"
    for code in (
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
                    "code": "BED",
                }
            ]
        },
        {"coding": [{"code": "696540", "display": "QHS"}], "text": "QHS"},
        {"text": "At bedtime"},
    ):
        draft = _draft("hydroxyzine HCl 25 mg oral tablet", {"timing": {"code": code}})
        assert not _summaries(_call(hooks, [draft]), rule), code
    daytime = _draft("hydroxyzine HCl 25 mg oral tablet", {"timing": {"code": {"text": "TID"}}})
    assert _summaries(_call(hooks, [daytime]), rule)


def _result(code: str | None, text: str | None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": LOINC, "code": code}] if code else []}
    if text:
        concept["text"] = text
    return {
        "resourceType": "Observation",
        "id": f"lab-{code or text}",
        "status": "final",
        "subject": {"reference": f"Patient/{PID}"},
        "code": concept,
        "effectiveDateTime": "2026-10-01",
        "valueCodeableConcept": {"text": "Negative"},
    }


UPADACITINIB = {"text": "Take 15 mg by mouth once daily"}


def test_jak_screening_read_from_lab_abbreviations_and_the_igra_code(hooks: Any) -> None:
    """Screening done is screening done however the lab names it: a code-only QuantiFERON
    (LOINC 71773-6), 'Hep B Surface Ag' / 'Hep C Ab' (US catalogues), 'FBC' (UK)."""
    draft = _draft("upadacitinib 15 mg extended-release tablet", UPADACITINIB)
    labs = [
        _result("71773-6", None),
        _result(None, "Hep B Surface Ag"),
        _result(None, "Hep B Core Ab, Total"),
        _result(None, "Hep C Ab"),
        _result(None, "FBC"),
        _result("57698-3", None),
    ]
    assert _summaries(_call(hooks, [draft], tuple(labs)), JAK) == []
    assert _summaries(_call(hooks, [draft], tuple(labs[1:])), JAK) == [
        "Order the screening missing for upadacitinib: TB"
    ]


def test_occlusion_written_as_cling_film_wet_pyjamas_or_damp_bandages_is_a_wet_wrap(
    hooks: Any,
) -> None:
    """Wet wraps as families are told to do them: saran / plastic wrap / cling film over the
    steroid, wet pyjamas, damp tubular bandages. A 3-week course is over 14 days."""
    rule = "wet-wrap-duration"
    for sig in (
        "apply and cover with saran wrap nightly for 3 weeks",
        "Apply under cling film at night for 21 days",
        "apply, then wet pyjamas overnight, for 3 weeks",
        "Apply and cover with damp tubular bandages (Tubifast) nightly for 3 weeks",
    ):
        draft = _draft("triamcinolone 0.1% ointment", {"text": sig}, **TUBE)
        assert _summaries(_call(hooks, [draft]), rule) == [
            "Wet wraps with a steroid: limit the course to 3-7 days (at most 14); ordered 21 days"
        ], sig
    plain = _draft(
        "triamcinolone 0.1% ointment", {"text": "apply bid for 3 weeks, no plastic wrap"}
    )
    assert _summaries(_call(hooks, [plain]), rule) == []


def _view(hooks: Any, fixture: str, rule: str, **prefetch: Any) -> list[str]:
    body = load_fixture(fixture)
    body["hookInstance"] = str(uuid.uuid4())
    body["prefetch"].update(prefetch)
    response = post_hook(hooks, body)
    assert response.status_code == 200
    return _summaries(response.get_json()["cards"], rule)


EPIC_REFERRAL = {
    "coding": [
        {
            "system": "urn:oid:1.2.840.114350.1.13.0.1.7.2.696580",
            "code": "REF44",
            "display": "AMB REFERRAL TO DERMATOLOGY",
        }
    ],
    "text": "Ambulatory referral to Dermatology",
}


def test_a_referral_or_care_plan_named_in_text_is_on_record(hooks: Any) -> None:
    """Epic codes a referral with a local order code and names it in text; a care plan is
    often only a title ('Eczema Action Plan') or a category text. Both are on record."""
    fixture = "escalate-refractory/view-three-moderate-courses-6-months-in.json"
    rule = "escalate-refractory"
    assert _view(hooks, fixture, rule)  # it fires without a referral
    for code in (EPIC_REFERRAL, {"text": "Referral to dermatology"}):
        referral = {
            "resourceType": "ServiceRequest",
            "id": "ref1",
            "status": "active",
            "intent": "order",
            "code": code,
            "subject": _subject(fixture),
            "authoredOn": "2026-10-01",
        }
        bundle = {"resourceType": "Bundle", "type": "searchset"}
        bundle["entry"] = [{"resource": referral}]
        assert _view(hooks, fixture, rule, servicerequests=bundle) == [], code

    fixture = "eczema-action-plan/" + _action_plan_fixture()
    rule = "eczema-action-plan"
    assert _view(hooks, fixture, rule)
    for plan in ({"title": "Eczema Action Plan"}, {"category": [{"text": "Eczema care plan"}]}):
        careplan = {
            "resourceType": "CarePlan",
            "id": "cp1",
            "status": "active",
            "intent": "plan",
            "subject": _subject(fixture),
            "created": "2026-06-01",
            **plan,
        }
        bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": careplan}]}
        assert _view(hooks, fixture, rule, careplans=bundle) == [], plan


def _subject(fixture: str) -> Any:
    """The subject of the fixture's first Condition (the patient's own reference)."""
    return load_fixture(fixture)["prefetch"]["conditions"]["entry"][0]["resource"]["subject"]


def _action_plan_fixture() -> str:
    """A fixture in which the action-plan card fires."""
    from tests.conftest import FIXTURES

    return sorted(p.name for p in (FIXTURES / "eczema-action-plan").glob("*-in.json"))[0]


def _clobetasol_course(dosage: dict[str, Any]) -> dict[str, Any]:
    timing = dosage.setdefault("timing", {})
    timing["repeat"] = {"boundsPeriod": {"start": "2026-10-01", "end": "2026-11-15"}}
    return {
        **_draft("clobetasol propionate 0.05% ointment", dosage),
        "id": "m1",
        "status": "completed",
        "authoredOn": "2026-10-01",
    }


def _course_chart(dosage: dict[str, Any]) -> dict[str, Any]:
    """patient-view for an adult with eczema whose six-week clobetasol course just ended."""
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": PID},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": PID, "birthDate": "1988-04-02"},
            "conditions": _bundle([_eczema()]),
            "medications": _bundle([_clobetasol_course(dosage)]),
        },
    }


def test_daily_use_written_in_the_sig_or_as_a_timing_code_is_daily(hooks: Any) -> None:
    """Six weeks of clobetasol that just ended, 'twice daily' written only in the sig (EMIS)
    or as timing.code BID (Oracle Health): the taper warning fires as for a coded repeat."""
    rule = "tcs-taper-after-long-use"
    for dosage in (
        {"text": "Apply thinly twice a day to the legs"},
        {"text": "1 app Topical BID", "timing": {"code": {"coding": [{"code": "BID"}]}}},
        {"timing": {"code": {"coding": [{"code": "696530", "display": "BID"}]}}},
    ):
        body = _course_chart(dosage)
        response = post_hook(hooks, body)
        assert _summaries(response.get_json()["cards"], rule), dosage
    # a step-down ('twice daily ... then once daily') is not one daily rate: nothing to read
    body["prefetch"]["medications"] = _bundle(
        [_clobetasol_course({"text": "apply twice daily for 2 weeks then every other day"})]
    )
    assert not _summaries(post_hook(hooks, body).get_json()["cards"], rule)


def test_topical_retinoid_and_acne_brands_named_alone_are_irritants(hooks: Any) -> None:
    """Oracle Health's Multum names a brand alone ('Differin topical'): the irritant card
    fires for a retinoid or benzoyl peroxide brand as for its ingredient."""
    for name in (
        "Differin topical",
        "Retin-A 0.05% cream",
        "Tazorac 0.1% cream",
        "Aklief 0.005% cream",
        "PanOxyl 10% foaming wash",
        "Epiduo Forte gel",
        "Salex 6% cream",
    ):
        cards = _call(hooks, [_draft(name, {"text": "apply nightly"})])
        assert _summaries(cards, "irritant-topical"), name


def test_mupirocin_brand_centany_is_a_topical_antibiotic(hooks: Any) -> None:
    """Centany is mupirocin 2% ointment: on uninfected eczema it gets the same info card."""
    cards = _call(hooks, [_draft("Centany 2% ointment", {"text": "apply tid for 5 days"})])
    assert _summaries(cards, "topical-antimicrobial-uninfected")


def test_immunity_vaccination_or_screening_for_an_infection_is_not_the_infection(
    hooks: Any,
) -> None:
    """'Immunity to hepatitis B', 'Hepatitis B vaccination status: immune' and 'Hepatitis C
    screening' on the problem list are not an active serious infection: no critical card
    before an oral JAK (its screening done); a positive screen or the infection still is."""
    draft = _draft("upadacitinib 15 mg extended-release tablet", UPADACITINIB)
    labs = (
        _result("71773-6", None),
        _result("5196-1", None),
        _result("16128-1", None),
        _result("58410-2", None),
        _result("57698-3", None),
    )

    def problem(text: str) -> dict[str, Any]:
        return {**_eczema(), "id": "p2", "code": {"text": text}}

    def cards(text: str) -> list[str]:
        return [
            c["indicator"]
            for c in _call(hooks, [draft], labs, conditions=[_eczema(), problem(text)])
            if c["source"]["topic"]["code"] == JAK
        ]

    for text in (
        "Immunity to hepatitis B",
        "Hepatitis B vaccination status: immune",
        "Hepatitis C screening",
    ):
        assert cards(text) == [], text
    for text in ("Chronic hepatitis C", "Hepatitis C screening positive"):
        assert cards(text) == ["critical"], text
