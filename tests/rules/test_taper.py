"""tcs-taper-after-long-use: renewals, stops and just-ended runs of daily potent steroid."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.picture import build_picture
from cds_service.rules.taper import _find_run
from cds_service.terminology import Terminology
from tests.conftest import NOW, cards_for, load_fixture, post_hook

RULE = "tcs-taper-after-long-use"


def _cards(hooks: Any, name: str) -> list[dict[str, Any]]:
    return cards_for(post_hook(hooks, load_fixture(f"{RULE}/{name}.json")), RULE)


def test_renewal_after_28_days_swaps_the_draft_for_a_taper(hooks: Any) -> None:
    (card,) = _cards(hooks, "sign-renew-after-28-days-in")
    assert card["indicator"] == "warning"
    taper, tci = card["suggestions"]
    assert taper["isRecommended"] is True
    create, delete = taper["actions"]  # create first (Sandbox applies the first action)
    assert delete["resourceId"] == "MedicationRequest/taper-renew-28-draft"
    steps = create["resource"]["dosageInstruction"]
    assert [s["sequence"] for s in steps] == [1, 2, 3]
    assert steps[2]["timing"]["repeat"]["dayOfWeek"] == ["mon", "thu"]
    assert create["resource"]["medicationCodeableConcept"]["text"] == (
        "mometasone furoate 0.1% ointment"
    )
    (tci_action,) = tci["actions"]
    assert tci_action["resource"]["medicationCodeableConcept"]["coding"][0]["code"] == "314266"


def test_thresholds_4_weeks_and_2_weeks_on_face(hooks: Any) -> None:
    assert len(_cards(hooks, "sign-stop-face-after-14-days-in")) == 1
    assert _cards(hooks, "sign-stop-face-after-13-days-out") == []
    assert _cards(hooks, "sign-renew-face-after-13-days-out") == []
    assert _cards(hooks, "sign-renew-after-27-days-out") == []
    assert len(_cards(hooks, "sign-renew-after-two-back-to-back-courses-in")) == 1


def test_stop_order_keeps_the_stop_and_adds_a_taper(hooks: Any) -> None:
    (card,) = _cards(hooks, "sign-stop-after-33-days-in")
    assert "rather than stopping abruptly" in card["summary"]
    assert [a["type"] for a in card["suggestions"][0]["actions"]] == ["create"]


def test_view_only_just_after_the_course_ends(hooks: Any) -> None:
    (card,) = _cards(hooks, "view-ended-5-days-ago-in")
    assert [a["type"] for a in card["suggestions"][0]["actions"]] == ["create"]
    for name in (
        "view-ended-15-days-ago-out",
        "view-still-running-out",
        "view-ended-tci-current-out",
        "view-ended-no-eczema-out",
    ):
        assert _cards(hooks, name) == [], name


def test_mid_potency_old_course_or_tci_draft_is_silent(hooks: Any) -> None:
    for name in (
        "sign-renew-mid-potency-after-28-days-out",
        "sign-renew-course-ended-30-days-ago-out",
        "sign-renew-with-tci-draft-out",
    ):
        assert _cards(hooks, name) == [], name


def test_maintenance_rule_defers_to_the_taper(hooks: Any) -> None:
    body = load_fixture(f"{RULE}/sign-renew-after-28-days-in.json")
    assert cards_for(post_hook(hooks, body), "tcs-proactive-maintenance") == []


def test_renewing_a_potent_steroid_on_the_face_gets_the_site_card_only(hooks: Any) -> None:
    """clinical-rules §5.3: the sensitive-site swap is the step-down; no "keep it and taper"."""
    body = load_fixture(f"{RULE}/sign-renew-face-after-14-days-site-card-instead-out.json")
    codes = [c["source"]["topic"]["code"] for c in post_hook(hooks, body).get_json()["cards"]]
    assert "tcs-potent-on-sensitive-site" in codes
    assert "tcs-taper-after-long-use" not in codes


def test_stopping_on_the_face_steps_down_there_instead_of_a_potent_taper(hooks: Any) -> None:
    """NICE CG57: no 4 more weeks of potent steroid on the face; mild steroid or a TCI there."""
    (card,) = _cards(hooks, "sign-stop-face-after-14-days-in")
    assert "step down" in card["summary"] and len(card["summary"]) < 140
    mild, tci = card["suggestions"]
    assert mild["isRecommended"] is True and "isRecommended" not in tci
    (create,) = mild["actions"]
    resource = create["resource"]
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "106258"
    assert resource["dosageInstruction"][0]["site"]["coding"][0]["code"] == "89545001"
    for suggestion in card["suggestions"]:
        for action in suggestion["actions"]:
            text = action["resource"]["medicationCodeableConcept"]["text"]
            assert "betamethasone" not in text  # no potent taper on the face


def test_neck_and_trunk_stop_names_the_trunk_and_orders_for_the_neck_only(hooks: Any) -> None:
    (card,) = _cards(hooks, "sign-stop-neck-and-trunk-after-33-days-in")
    assert "trunk" in card["detail"] and "neck" in card["summary"]
    for suggestion in card["suggestions"]:
        (action,) = suggestion["actions"]
        site = action["resource"]["dosageInstruction"][0]["site"]
        assert [c["code"] for c in site["coding"]] == ["45048000"]  # never neck + trunk codings
        assert site["text"] == "neck"
    assert _cards(hooks, "sign-stop-neck-after-27-days-out") == []


def _past_tcs(oid: str, authored: str, days: int, face: bool) -> dict[str, Any]:
    dosage: dict[str, Any] = {
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d",
                              "boundsDuration": {"value": days, "code": "d"}}}
    }  # fmt: skip
    if face:
        dosage["site"] = {"coding": [{"system": "http://snomed.info/sct", "code": "89545001"}]}
    return {
        "resourceType": "MedicationRequest", "id": oid, "status": "completed", "intent": "order",
        "medicationCodeableConcept": {"text": "betamethasone dipropionate 0.05% cream"},
        "authoredOn": authored, "dosageInstruction": [dosage],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("orders", "expected"),
    [
        # a 30-day body run, then a later 15-day face run: the face run is the latest
        ([("a", "2026-08-01", 30, False), ("b", "2026-10-01", 15, True)], ("b",)),
        # the body run ends last: the face pass cannot beat it (and reads no sites)
        ([("b", "2026-08-01", 15, True), ("a", "2026-10-01", 30, False)], ("a",)),
        # a later face course too short to qualify: the body run stays
        ([("a", "2026-08-01", 30, False), ("b", "2026-10-01", 10, True)], ("a",)),
        # no body run long enough: only the face pass finds one
        ([("b", "2026-10-01", 15, True)], ("b",)),
        # a 25-day run (too short) holds a 15-day face run: the face pass finds it there
        ([("a", "2026-08-01", 10, False), ("b", "2026-08-11", 15, True)], ("b",)),
        # a later run of 13 days cannot hold a 14-day face run; the earlier one can
        ([("b", "2026-07-01", 15, True), ("c", "2026-10-01", 13, True)], ("b",)),
    ],
)
def test_latest_qualifying_run_whichever_pass_finds_it(
    orders: list[tuple[str, str, int, bool]], expected: tuple[str, ...]
) -> None:
    picture = build_picture(
        hook="patient-view",
        context={"patientId": "p1", "userId": "Practitioner/u"},
        resources=[_past_tcs(*o) for o in orders],
        medications={},
        terminology=Terminology.load(),
        now=NOW,
    )
    run = _find_run(picture)
    assert run is not None
    assert tuple(o.id for o in run.orders) == expected


def test_a_run_stopped_before_its_planned_end_is_dated_to_today(hooks: Any) -> None:
    """ "used daily for 14 days (until 2026-12-13)", today 2026-11-22: the days counted and the
    date shown are the same span, so a run stopped today shows today."""
    found = cards_for(
        post_hook(hooks, load_fixture(f"{RULE}/sign-stop-face-after-14-days-in.json")), RULE
    )
    (detail,) = [c["detail"] for c in found]
    assert "**14 days** (until 2026\\-11\\-22)" in detail
    assert "2026\\-12\\-13" not in detail
