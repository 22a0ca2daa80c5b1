"""Review of the round's changes: a daily rate kept to days of the week, an immune phase
of an infection, referrals and care plans named as not made."""

from __future__ import annotations

import copy
from typing import Any

from cds_service.picture.frequency import per_day_written
from cds_service.rules import Finding
from cds_service.terminology import mentions
from cds_service.terminology.mentions import Mention
from tests.conftest import cards_for, load_fixture, post_hook
from tests.rules.redflags_support import decide
from tests.test_fixtures import validate_fhir
from tests.test_review_clinical2 import (
    JAK,
    TUBE,
    UPADACITINIB,
    _action_plan_fixture,
    _call,
    _course_chart,
    _draft,
    _eczema,
    _result,
    _subject,
    _summaries,
)


def test_a_daily_rate_kept_to_days_of_the_week_is_averaged_over_the_week() -> None:
    """'twice a day on 2 days a week' is four applications a week, not two a day."""
    for text, rate in (
        ("Apply twice a day on 2 days a week", 4 / 7),
        ("apply twice daily on weekends", 4 / 7),
        ("Apply BID Mondays and Thursdays", 4 / 7),
        ("apply bd mon, tues & thurs", 6 / 7),
        ("apply once daily 2 consecutive days per week", 2 / 7),
        ("apply twice weekly on Mon and Thu", 2 / 7),
        ("apply daily 7 days a week", 1.0),
        ("apply od, avoid sun, for a month", 1.0),
    ):
        assert per_day_written({}, text) == rate, text
    # the days cannot be counted ('Monday to Friday'), or the days a week are a second
    # schedule after a daily one: no one rate to read
    assert per_day_written({}, "apply daily Monday to Friday") is None
    assert per_day_written({}, "apply twice daily for 2 weeks then on 2 days a week") is None
    # a day named for something else than the use keeps the daily rate
    for text in (
        "apply twice daily; review on Monday",
        "apply twice daily until Friday",
        "apply bd, review at the weekend",
        "apply twice daily starting Monday",
    ):
        assert per_day_written({}, text) == 2.0, text


def test_proactive_clobetasol_twice_daily_two_days_a_week_is_no_daily_course(hooks: Any) -> None:
    """Six weeks of clobetasol 'twice a day on 2 days a week' (proactive use) that just ended:
    no 'potent steroid used daily' taper warning; the same course written daily has one."""
    rule = "tcs-taper-after-long-use"

    def taper(text: str) -> list[str]:
        body = _course_chart({"text": text})
        return _summaries(post_hook(hooks, body).get_json()["cards"], rule)

    assert taper("Apply thinly twice a day to the legs")
    for text in (
        "Apply twice a day on 2 days a week",
        "apply twice daily on weekends",
        "Apply BID Mondays and Thursdays",
    ):
        assert not taper(text), text


def test_an_immune_phase_of_an_infection_is_the_infection(hooks: Any) -> None:
    """'Hepatitis B immune-tolerant phase' is chronic hepatitis B (HBsAg positive) and 'HIV
    immune reconstitution syndrome' is HIV: the critical card before an oral JAK still fires;
    'Hepatitis B immune' (immunity) still does not."""
    draft = _draft("upadacitinib 15 mg extended-release tablet", UPADACITINIB)
    labs = tuple(_result(code, None) for code in ("71773-6", "5196-1", "16128-1", "58410-2"))
    labs += (_result("57698-3", None),)

    def cards(text: str) -> list[str]:
        problem = {**_eczema(), "id": "p2", "code": {"text": text}}
        found = _call(hooks, [draft], labs, conditions=[_eczema(), problem])
        return [c["indicator"] for c in found if c["source"]["topic"]["code"] == JAK]

    for text in (
        "Chronic hepatitis B, immune tolerant phase",
        "Hepatitis B immune-tolerant phase",
        "Hepatitis B (immune active)",
    ):
        assert cards(text) == ["critical"], text
    assert cards("Hepatitis B immune") == []
    hiv = mentions.compile_terms(["hiv"])
    assert mentions.read("HIV immune reconstitution syndrome", hiv, None) is Mention.AFFIRMED


def test_a_referral_or_care_plan_named_as_not_made_is_not_on_record() -> None:
    """'No dermatology referral needed' or 'Referral to dermatology declined' is no referral,
    'Eczema action plan not given' or an 'Asthma flare plan' no eczema plan: the cards that
    ask for them still fire (decided directly: the plan reminder is shown once a patient)."""

    def finds(rule: str, fixture: str, key: str, resource: dict[str, Any]) -> bool:
        body = load_fixture(fixture)
        resource = {"id": "r1", "status": "active", "subject": _subject(fixture), **resource}
        body["prefetch"][key] = {"resourceType": "Bundle", "type": "searchset"}
        body["prefetch"][key]["entry"] = [{"resource": resource}]
        return isinstance(decide(rule, body), Finding)

    fixture = "escalate-refractory/view-three-moderate-courses-6-months-in.json"
    referral = {"resourceType": "ServiceRequest", "intent": "order", "authoredOn": "2026-10-01"}
    for text in (
        "No dermatology referral needed",
        "Referral to dermatology declined",
        "Dermatology referral - cancelled",
    ):
        request = {**referral, "code": {"text": text}}
        assert finds("escalate-refractory", fixture, "servicerequests", request), text
    assert not finds(
        "escalate-refractory",
        fixture,
        "servicerequests",
        {**referral, "code": {"text": "Ambulatory referral to Dermatology"}},
    )

    fixture = "eczema-action-plan/" + _action_plan_fixture()
    plan = {"resourceType": "CarePlan", "intent": "plan", "created": "2026-06-01"}
    for title in ("Eczema action plan not given", "Asthma flare plan", "Asthma action plan"):
        careplan = {**plan, "title": title}
        assert finds("eczema-action-plan", fixture, "careplans", careplan), title
    careplan = {**plan, "title": "Eczema flare plan"}
    assert not finds("eczema-action-plan", fixture, "careplans", careplan)


def test_a_non_occlusive_dressing_is_no_occlusion(hooks: Any) -> None:
    """Clobetasol 'under a non-occlusive dressing' is not under occlusion: no wet-wrap card
    (which would also silence tcs-very-potent-limits); 'under occlusion' still has one."""
    rule = "wet-wrap-duration"
    clobetasol = "clobetasol propionate 0.05% ointment"

    def wrapped(text: str) -> list[str]:
        return _summaries(_call(hooks, [_draft(clobetasol, {"text": text}, **TUBE)]), rule)

    assert wrapped("Apply twice daily under occlusion to the hands for 7 days")
    assert not wrapped("Apply twice daily under a non-occlusive dressing to the hands for 7 days")


def test_a_twice_weekly_update_keeps_a_course_length_written_only_in_the_sig(
    client: Any,
) -> None:
    """'Apply to face once weekly for 16 weeks' with no timing bounds: the rewritten sig
    no longer says 16 weeks, so the updated timing carries the course length."""
    rule = "tci-proactive-maintenance"
    body = copy.deepcopy(load_fixture(f"{rule}/once-weekly-in.json"))
    (dosage,) = body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"]
    del dosage["timing"]["repeat"]["boundsDuration"]
    dosage["text"] = "Apply to face once weekly for 16 weeks"
    (card,) = cards_for(post_hook(client, body), rule)
    (suggestion,) = [s for s in card["suggestions"] if s["label"].startswith("Change to twice")]
    (action,) = suggestion["actions"]
    validate_fhir(action["resource"])
    (updated,) = action["resource"]["dosageInstruction"]
    assert "16 weeks" not in updated["text"]
    assert updated["timing"]["repeat"]["boundsDuration"]["value"] == 112
    assert updated["timing"]["repeat"]["boundsDuration"]["code"] == "d"


def test_a_bedtime_update_keeps_a_course_given_as_a_count_of_doses(client: Any) -> None:
    """Three a day, 21 doses (timing.repeat.count, no bounds) is a 7-day course: once at
    bedtime it stays 7 days with 7 tablets, not a 14-day course with 7 tablets."""
    rule = "antihistamine-sedating-bedtime"
    body = copy.deepcopy(load_fixture(f"{rule}/hydroxyzine-three-times-daily-age-30-in.json"))
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["dosageInstruction"][0]["timing"]["repeat"] = {
        "frequency": 3,
        "period": 1,
        "periodUnit": "d",
        "count": 21,
    }
    draft["dispenseRequest"] = {"quantity": {"value": 21, "unit": "tablet"}}
    (card,) = cards_for(post_hook(client, body), rule)
    (action,) = card["suggestions"][0]["actions"]
    validate_fhir(action["resource"])
    (dosage,) = action["resource"]["dosageInstruction"]
    assert dosage["timing"]["repeat"]["boundsDuration"]["value"] == 7
    assert action["resource"]["dispenseRequest"]["quantity"]["value"] == 7
