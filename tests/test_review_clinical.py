"""Clinical review on realistic chart shapes: the safety cards fire on the patient's own data,
however the EHR writes it (references, statuses), and stay silent when the data says no."""

from __future__ import annotations

from typing import Any

from tests.conftest import post_hook

PID = "e63wRTbPfr1p8UW81d8Seiw3"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SITE_RULE = "tcs-potent-on-sensitive-site"
CLOBETASOL = {
    "resourceType": "Medication",
    "code": {
        "coding": [
            {
                "system": RXNORM,
                "code": "861512",
                "display": "clobetasol propionate 0.5 MG/GM Topical Ointment",
            }
        ],
        "text": "CLOBETASOL PROPIONATE 0.05 % OINT",
    },
}


def _condition(**extra: Any) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "resourceType": "Condition",
        "id": "eczema",
        "subject": {"reference": f"Patient/{PID}"},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {
            "coding": [{"system": "http://snomed.info/sct", "code": "24079001"}],
            "text": "Atopic dermatitis",
        },
    }
    condition.update(extra)
    return condition


def _draft(medication: dict[str, Any], sig: str = "Apply to face twice daily") -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "draft-1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PID}"},
        "authoredOn": "2026-11-22",
        **medication,
        "dosageInstruction": [
            {"text": sig, "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}}
        ],
    }


def _request(
    hook: str, entries: list[dict[str, Any]], conditions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {"userId": "Practitioner/1", "patientId": PID}
    if hook != "patient-view":
        context["draftOrders"] = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    if hook == "order-select":
        context["selections"] = ["MedicationRequest/draft-1"]
    return {
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": context,
        "prefetch": {
            "patient": {
                "resourceType": "Patient",
                "id": PID,
                "birthDate": "1988-04-02",
                "gender": "female",
            },
            "conditions": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [
                    {"resource": c}
                    for c in (conditions if conditions is not None else [_condition()])
                ],
            },
            "medications": {"resourceType": "Bundle", "type": "searchset", "entry": []},
        },
    }


def _rules(hooks: Any, body: dict[str, Any]) -> list[str]:
    response = post_hook(hooks, body)
    assert response.status_code == 200
    return [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]


def test_medication_named_by_the_draft_bundles_full_url_is_read(hooks: Any) -> None:
    """A draft's medicationReference may name a Medication entry of the draftOrders Bundle by
    its fullUrl (a urn:uuid or an absolute URL), as FHIR resolves references in a Bundle."""
    for full_url in (
        "urn:uuid:5c1e1f2a-3d4b-4c5d-8e6f-7a8b9c0d1e2f",
        "https://ehr.example.org/fhir/Medication/m1",
    ):
        medication = {**CLOBETASOL, "id": "m1"} if full_url.startswith("https") else CLOBETASOL
        entries = [
            {"resource": _draft({"medicationReference": {"reference": full_url}})},
            {"fullUrl": full_url, "resource": medication},
        ]
        assert SITE_RULE in _rules(hooks, _request("order-sign", entries)), full_url


HERPETICUM = {
    "coding": [{"system": "http://snomed.info/sct", "code": "423391007"}],
    "text": "Eczema herpeticum",
}


def _herpeticum(**status: Any) -> dict[str, Any]:
    found = _condition(id="eh", code=HERPETICUM, onsetDateTime="2026-11-20")
    del found["clinicalStatus"]
    found.update(status)
    return found


def test_condition_status_written_as_text_or_in_capitals_is_read(hooks: Any) -> None:
    """clinicalStatus / verificationStatus decide whatever their spelling: a text-only
    "Resolved" or "Entered in Error", a display without a code, a bare string (STU3), the
    C-CDA SNOMED problem status, or a code in capitals."""
    draft = [{"resource": _draft({"medicationCodeableConcept": CLOBETASOL["code"]})}]
    snomed = "http://snomed.info/sct"
    resolved = [
        {"clinicalStatus": {"text": "Resolved"}},
        {"clinicalStatus": "resolved"},
        {"clinicalStatus": {"coding": [{"system": snomed, "code": "413322009"}]}},
    ]
    for status in resolved:  # the only eczema on the chart is resolved: no AD gate
        body = _request("order-sign", draft, [_condition(**status)])
        assert SITE_RULE not in _rules(hooks, body), status
    for status in [
        {"clinicalStatus": {"coding": [{"code": "ACTIVE"}]}},
        {"clinicalStatus": {"text": "Active"}, "verificationStatus": {"text": "Confirmed"}},
        {"clinicalStatus": {"coding": [{"system": snomed, "code": "55561003"}]}},
    ]:
        body = _request("order-sign", draft, [_condition(**status)])
        assert SITE_RULE in _rules(hooks, body), status
    for status in [
        {"verificationStatus": {"coding": [{"display": "Entered in Error"}]}},
        {"verificationStatus": {"text": "Refuted"}},
    ]:  # a herpeticum entered in error or refuted raises no critical card
        body = _request("patient-view", [], [_condition(), _herpeticum(**status)])
        assert "eczema-herpeticum" not in _rules(hooks, body), status
    body = _request("patient-view", [], [_condition(), _herpeticum()])
    assert "eczema-herpeticum" in _rules(hooks, body)


def _observation(oid: str, loinc: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "subject": {"reference": f"Patient/{PID}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}], "text": name},
        "effectiveDateTime": "2026-11-15T09:30:00Z",
        **extra,
    }


def test_lab_not_performed_is_no_monitoring_result(hooks: Any) -> None:
    """A creatinine with a dataAbsentReason and no value ("not performed") checked nothing: the
    ciclosporin monitoring card still asks for one."""
    ciclosporin = _draft(
        {"medicationCodeableConcept": {"text": "cycloSPORINE modified (NEORAL) 100 MG capsule"}},
        "Take 150 mg by mouth twice daily",
    )
    pressure = _observation("bp", "85354-9", "Blood pressure")
    body = _request("order-sign", [{"resource": ciclosporin}])
    creatinine = _observation("cr", "2160-0", "Creatinine")
    for absent, fires in ((True, True), (False, False)):
        value: dict[str, Any] = (
            {"dataAbsentReason": {"coding": [{"code": "not-performed"}], "text": "Not performed"}}
            if absent
            else {"valueQuantity": {"value": 0.8, "unit": "mg/dL"}}
        )
        body["prefetch"]["observations"] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": {**creatinine, **value}}, {"resource": pressure}],
        }
        assert ("cyclosporine-monitoring" in _rules(hooks, body)) is fires, absent


def test_oral_liquid_steroid_without_the_word_oral_is_an_oral_corticosteroid(hooks: Any) -> None:
    """Epic names a child's prednisolone "prednisoLONE (ORAPRED) 15 mg/5 mL solution": a
    strength per 5 mL is an oral liquid's, so the oral-steroid warning fires as for a tablet."""
    for name in (
        "prednisoLONE (ORAPRED) 15 mg/5 mL solution",
        "prednisoLONE sodium phosphate 6.7 mg/5 mL solution",
        "Millipred 5 mg tablet",
    ):
        draft = _draft({"medicationCodeableConcept": {"text": name}}, "Take 10 mL by mouth daily")
        draft["dosageInstruction"][0]["timing"]["repeat"]["boundsDuration"] = {
            "value": 21,
            "unit": "d",
        }
        body = _request("order-sign", [{"resource": draft}])
        assert "oral-corticosteroid-for-eczema" in _rules(hooks, body), name


def test_a_strength_per_ml_names_no_route(started: Any) -> None:
    """Injections are written per mL (Depo-Medrol 40 mg/mL): only "per 5 mL" implies oral."""
    for name in (
        "methylprednisolone acetate 40 mg/mL suspension",
        "dexamethasone 4 mg/mL solution",
    ):
        assert "oral-corticosteroid" not in started.terminology.classify_drug([], name).drug_classes


def test_dupilumab_dose_written_in_ml_is_read_from_the_products_concentration(hooks: Any) -> None:
    """Epic doses a pen as "2 mL": with "300 mg/2 mL" in the name that is 300 mg, so an
    8-year-old of 25 kg on 300 mg every 2 weeks (label: every 4 weeks) gets the tier card."""
    weight = _observation(
        "wt", "29463-7", "Body weight", valueQuantity={"value": 25, "unit": "kg", "code": "kg"}
    )
    for days, fires in ((14, True), (28, False)):
        draft = _draft(
            {"medicationCodeableConcept": {"text": "dupilumab (DUPIXENT) 300 mg/2 mL pen"}},
            "Inject 2 mL under the skin",
        )
        draft["dosageInstruction"][0]["timing"] = {
            "repeat": {"frequency": 1, "period": days, "periodUnit": "d"}
        }
        draft["dosageInstruction"][0]["doseAndRate"] = [
            {"doseQuantity": {"value": 2, "unit": "mL", "code": "mL"}}
        ]
        body = _request("order-sign", [{"resource": draft}])
        body["prefetch"]["patient"]["birthDate"] = "2018-06-01"
        body["prefetch"]["observations"] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": weight}],
        }
        assert ("biologic-label-check" in _rules(hooks, body)) is fires, days


def test_a_draft_entered_in_error_gets_no_emollient_card(hooks: Any) -> None:
    """A steroid draft marked entered-in-error is being ordered no more than a cancelled one."""
    for status, fires in (("draft", True), ("entered-in-error", False), ("cancelled", False)):
        draft = _draft({"medicationCodeableConcept": {"text": "triamcinolone 0.1 % cream"}})
        draft["status"] = status
        body = _request("order-sign", [{"resource": draft}])
        body["prefetch"]["careplans"] = {"resourceType": "Bundle", "type": "searchset"}
        assert ("emollient-not-prescribed" in _rules(hooks, body)) is fires, status


def test_reason_reference_display_names_the_indication(hooks: Any) -> None:
    """A reasonReference whose Condition is not in the prefetch still says, by its display,
    what the order treats: clobetasol for vulval lichen sclerosus is not eczema treatment."""
    for reason, fires in (
        ({"reference": "Condition/not-prefetched", "display": "Lichen sclerosus"}, False),
        ({"display": "Vulvar lichen sclerosus"}, False),
        ({"reference": "Condition/not-prefetched", "display": "Atopic dermatitis"}, True),
    ):
        draft = _draft(
            {"medicationCodeableConcept": CLOBETASOL["code"], "reasonReference": [reason]},
            "Apply to vulva at bedtime",
        )
        body = _request("order-sign", [{"resource": draft}])
        assert (SITE_RULE in _rules(hooks, body)) is fires, reason


def test_old_acute_red_flag_without_a_clinical_status_raises_no_critical_card(hooks: Any) -> None:
    """An encounter diagnosis may carry no clinicalStatus: cellulitis or eczema herpeticum
    diagnosed years ago is not urgent today; recent or undated, it still is."""
    icd = "http://hl7.org/fhir/sid/icd-10-cm"
    category = [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                    "code": "encounter-diagnosis",
                }
            ]
        }
    ]
    for code, rule_id in (("L03.115", "cellulitis-urgent"), ("B00.0", "eczema-herpeticum")):
        for dates, fires in (
            ({"onsetDateTime": "2019-05-01", "recordedDate": "2019-05-01"}, False),
            ({"recordedDate": "2026-11-20"}, True),
            ({}, True),
        ):
            episode = _condition(
                id="episode", code={"coding": [{"system": icd, "code": code}]}, category=category
            )
            del episode["clinicalStatus"]
            episode.update(dates)
            body = _request("patient-view", [], [_condition(), episode])
            assert (rule_id in _rules(hooks, body)) is fires, (code, dates)


def test_brand_only_potent_steroid_names_are_recognised(hooks: Any) -> None:
    """A Cerner synonym may name only the brand: Impeklo, Tovet, Embeline (clobetasol 0.05%)
    and ApexiCon E (diflorasone 0.05%) on the face get the sensitive-site warning."""
    for name in (
        "Impeklo 0.05% topical lotion",
        "Tovet 0.05% topical foam",
        "Embeline 0.05% topical cream",
        "ApexiCon E 0.05% topical cream",
        "Diprosalic ointment",
    ):
        draft = _draft({"medicationCodeableConcept": {"text": name}})
        assert SITE_RULE in _rules(hooks, _request("order-sign", [{"resource": draft}])), name


def test_observation_whose_subject_reference_is_no_string_is_not_the_patients(hooks: Any) -> None:
    """A prefetched Observation Bundle is read lazily; an entry whose subject.reference is a
    number or a list names no one we can confirm, as for every other resource: its creatinine
    and blood pressure do not silence the ciclosporin monitoring card."""
    ciclosporin = _draft(
        {"medicationCodeableConcept": {"text": "cycloSPORINE modified (NEORAL) 100 MG capsule"}},
        "Take 150 mg by mouth twice daily",
    )
    for reference in (12435119, [f"Patient/{PID}"]):
        results = [
            _observation(
                "cr", "2160-0", "Creatinine", valueQuantity={"value": 0.8, "unit": "mg/dL"}
            ),
            _observation("bp", "85354-9", "Blood pressure"),
        ]
        for result in results:
            result["subject"] = {"reference": reference}
        body = _request("order-sign", [{"resource": ciclosporin}])
        body["prefetch"]["observations"] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in results],
        }
        assert "cyclosporine-monitoring" in _rules(hooks, body), reference


def test_coding_system_written_by_name_or_edition_is_read(hooks: Any) -> None:
    """ "SNOMED CT", "ICD-10-CM", https, a SNOMED CT edition URI: the eczema code still opens
    the AD gate (a formatting detail never decides)."""
    draft = [{"resource": _draft({"medicationCodeableConcept": CLOBETASOL["code"]})}]
    for system, code in (
        ("SNOMED CT", "24079001"),
        ("https://snomed.info/sct", "24079001"),
        ("http://snomed.info/sct/731000124108", "24079001"),
        ("ICD-10-CM", "L20.9"),
        ("URN:OID:2.16.840.1.113883.6.90", "L20.9"),
    ):
        eczema = _condition(code={"coding": [{"system": system, "code": code}]})
        assert SITE_RULE in _rules(hooks, _request("order-sign", draft, [eczema])), system


def test_monitoring_results_under_other_usual_loinc_codes_count(hooks: Any) -> None:
    """A UK creatinine in umol/L (14682-9) and the systolic-and-diastolic panel (55284-4),
    coded without a display, are the monitoring the ciclosporin card asks for."""
    ciclosporin = _draft(
        {"medicationCodeableConcept": {"text": "cycloSPORINE modified (NEORAL) 100 MG capsule"}},
        "Take 150 mg by mouth twice daily",
    )
    results = [
        _observation("cr", "14682-9", "", valueQuantity={"value": 70, "unit": "umol/L"}),
        _observation("bp", "55284-4", ""),
    ]
    for result in results:
        del result["code"]["text"]
    body = _request("order-sign", [{"resource": ciclosporin}])
    body["prefetch"]["observations"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in results],
    }
    assert "cyclosporine-monitoring" not in _rules(hooks, body)


def test_site_named_only_by_the_orders_reason(hooks: Any) -> None:
    """Epic's associated diagnosis "Eczematous dermatitis of right upper eyelid" (H01.131)
    with "apply to affected area": the affected area is the eyelid. A site in the
    instructions still wins over the reason's."""
    reason = {
        "coding": [
            {
                "system": "http://hl7.org/fhir/sid/icd-10-cm",
                "code": "H01.131",
                "display": "Eczematous dermatitis of right upper eyelid",
            }
        ]
    }
    for sig, fires in (("Apply to affected area twice daily", True), ("Apply to arms", False)):
        draft = _draft(
            {"medicationCodeableConcept": CLOBETASOL["code"], "reasonCode": [reason]}, sig
        )
        response = post_hook(hooks, _request("order-sign", [{"resource": draft}]))
        cards = [
            c for c in response.get_json()["cards"] if c["source"]["topic"]["code"] == SITE_RULE
        ]
        assert bool(cards) is fires, sig
        if fires:
            assert "from the order's reason" in cards[0]["detail"]


def test_dispensed_unit_with_an_aside_is_read(hooks: Any) -> None:
    """ "gram(s)", "g (gram)", "mL(s)": 120 g of clobetasol over 14 days is 60 g a week, over
    the label's 50 g."""
    for unit in ("gram(s)", "g (gram)", "mL(s)"):
        draft = _draft({"medicationCodeableConcept": CLOBETASOL["code"]}, "Apply to trunk")
        draft["dosageInstruction"][0]["timing"]["repeat"]["boundsDuration"] = {
            "value": 14,
            "unit": "d",
        }
        draft["dispenseRequest"] = {"quantity": {"value": 120, "unit": unit}}
        body = _request("order-sign", [{"resource": draft}])
        assert "tcs-very-potent-limits" in _rules(hooks, body), unit


def test_course_length_written_in_words_is_read(hooks: Any) -> None:
    """ "for two weeks" is a duration: the incomplete-prescription card does not ask for one,
    and clobetasol "for one month" is over the 2-week label limit."""
    triamcinolone = _draft(
        {"medicationCodeableConcept": {"text": "triamcinolone 0.1 % cream"}},
        "Apply to arms twice daily for two weeks",
    )
    triamcinolone["dispenseRequest"] = {"quantity": {"value": 30, "unit": "g"}}
    body = _request("order-select", [{"resource": triamcinolone}])
    assert "tcs-incomplete-prescription" not in _rules(hooks, body)
    clobetasol = _draft(
        {"medicationCodeableConcept": CLOBETASOL["code"]},
        "Apply to trunk twice daily for one month",
    )
    clobetasol["dispenseRequest"] = {"quantity": {"value": 30, "unit": "g"}}
    body = _request("order-sign", [{"resource": clobetasol}])
    assert "tcs-very-potent-limits" in _rules(hooks, body)


def test_site_of_the_condition_the_order_treats(hooks: Any) -> None:
    """ "Apply to affected area" for the chart's "Eczema of eyelid" (bodySite eyelid, named
    by reasonReference): the affected area is the eyelid."""
    eyelid = _condition(
        id="eyelid-eczema",
        code={"text": "Eczema of eyelid"},
        bodySite=[{"coding": [{"system": "http://snomed.info/sct", "code": "80243003"}]}],
    )
    plain = _condition(id="ad", code={"text": "Atopic dermatitis"})
    for target, fires in (("eyelid-eczema", True), ("ad", False)):
        draft = _draft(
            {
                "medicationCodeableConcept": CLOBETASOL["code"],
                "reasonReference": [{"reference": f"Condition/{target}"}],
            },
            "Apply to affected area twice daily",
        )
        body = _request("order-sign", [{"resource": draft}], [_condition(), eyelid, plain])
        assert (SITE_RULE in _rules(hooks, body)) is fires, target


def test_eye_condition_older_than_the_biologic_is_not_its_side_effect(hooks: Any) -> None:
    """An atopic patient's allergic conjunctivitis of 2015 is not conjunctivitis on the
    dupilumab started in 2026; one that began after the first dose is."""
    dupilumab = {
        **_draft({"medicationCodeableConcept": {"text": "dupilumab (DUPIXENT) 300 mg/2 mL pen"}}),
        "id": "dupilumab-2026",
        "status": "active",
        "authoredOn": "2026-06-01",
    }
    for onset, fires in (("2015-04-01", False), ("2026-11-10", True)):
        eye = _condition(
            id="eye",
            code={"text": "Acute atopic conjunctivitis, bilateral"},
            onsetDateTime=onset,
        )
        body = _request("patient-view", [], [_condition(), eye])
        body["prefetch"]["medications"]["entry"] = [{"resource": dupilumab}]
        assert ("eye-symptoms-on-biologic" in _rules(hooks, body)) is fires, onset


def test_tubes_of_a_named_pack_size_are_grams(hooks: Any) -> None:
    """2 tubes of "clobetasol propionate 0.5 MG/GM ointment 60 g tube" over 14 days is 120 g,
    60 g a week: over the label's 50 g. Without a pack size in the name the amount is unknown."""
    for name, fires in (
        ("clobetasol propionate 0.5 MG/GM Topical Ointment 60 g tube", True),
        ("clobetasol propionate 0.5 MG/GM Topical Ointment", False),
    ):
        draft = _draft({"medicationCodeableConcept": {"text": name}}, "Apply to trunk")
        draft["dosageInstruction"][0]["timing"]["repeat"]["boundsDuration"] = {
            "value": 14,
            "unit": "d",
        }
        draft["dispenseRequest"] = {"quantity": {"value": 2, "unit": "tube"}}
        body = _request("order-sign", [{"resource": draft}])
        assert ("tcs-very-potent-limits" in _rules(hooks, body)) is fires, name
