"""order-sign does not repeat an info card the same unchanged draft got at order-select."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import SQLAlchemyError

from cds_service.repeats import RETRY_WINDOW, RepeatGuard
from cds_service.rules import Finding, load_rules
from tests.conftest import NOW, cards_for, load_fixture, post_hook

SELECT_FIXTURE = "tcs-incomplete-prescription/order-select-incomplete-selected-in.json"
RULE = "tcs-incomplete-prescription"


def _as_sign(body: dict[str, Any]) -> dict[str, Any]:
    sign = copy.deepcopy(body)
    sign["hook"] = "order-sign"
    sign["hookInstance"] = body["hookInstance"] + "-sign"
    del sign["context"]["selections"]
    sign["context"]["draftOrders"]["entry"] = [
        e
        for e in sign["context"]["draftOrders"]["entry"]
        if f"MedicationRequest/{e['resource']['id']}" in body["context"]["selections"]
    ]
    return sign


def test_info_card_shown_at_select_is_not_repeated_at_sign(client: Any) -> None:
    select = load_fixture(SELECT_FIXTURE)
    sign = _as_sign(select)
    assert len(cards_for(post_hook(client, sign), RULE)) == 1  # not shown before: shown
    assert len(cards_for(post_hook(client, select), RULE)) == 1
    assert cards_for(post_hook(client, sign), RULE) == []


def test_a_changed_order_gets_the_card_again(client: Any) -> None:
    select = load_fixture(SELECT_FIXTURE)
    assert len(cards_for(post_hook(client, select), RULE)) == 1
    sign = _as_sign(select)
    draft = sign["context"]["draftOrders"]["entry"][0]["resource"]
    draft.setdefault("dosageInstruction", [{}])[0]["text"] = "apply thinly to the arms"
    assert len(cards_for(post_hook(client, sign), RULE)) == 1


def test_another_patient_is_not_affected(client: Any) -> None:
    select = load_fixture(SELECT_FIXTURE)
    assert len(cards_for(post_hook(client, select), RULE)) == 1
    # Another patient's chart: every reference names them (picture/identity.py drops the rest).
    own = f"Patient/{select['context']['patientId']}"
    sign = json.loads(json.dumps(_as_sign(select)).replace(f'"{own}"', '"Patient/someone-else"'))
    sign["context"]["patientId"] = "someone-else"
    sign["prefetch"]["patient"]["id"] = "someone-else"
    assert len(cards_for(post_hook(client, sign), RULE)) == 1


def test_warnings_always_repeat(client: Any) -> None:
    body = load_fixture("tcs-potent-on-sensitive-site/clobetasol-face-in-text-in.json")
    select = copy.deepcopy(body)
    select["hook"] = "order-select"
    draft_id = body["context"]["draftOrders"]["entry"][0]["resource"]["id"]
    select["context"]["selections"] = [f"MedicationRequest/{draft_id}"]
    rule = "tcs-potent-on-sensitive-site"
    assert len(cards_for(post_hook(client, select), rule)) == 1
    assert len(cards_for(post_hook(client, body), rule)) == 1


def test_nothing_about_the_patient_is_stored(app: Any, client: Any) -> None:
    body = load_fixture(SELECT_FIXTURE)
    post_hook(client, body)
    from sqlalchemy import select

    from cds_service.repeats import advice_shown

    with app.extensions["cds_runtime"].store.engine.connect() as conn:
        keys = [r[0] for r in conn.execute(select(advice_shown.c.advice_key))]
    patient = body["context"]["patientId"]
    assert keys and all(len(k) == 64 and int(k, 16) >= 0 and patient not in k for k in keys)


def _shown(guard: Any, rule: Any, at: datetime, beside: str | None = None) -> bool:
    decisions: list[Any] = [(rule, Finding(rule.id, "fires"))]
    if beside:
        other = load_rules()["tcs-potent-on-sensitive-site"]
        decisions.append((other, Finding(other.id, "fires")))
    levels = {"tcs-potent-on-sensitive-site": beside or "warning"}
    out = guard.apply("patient-view", "p1", decisions, lambda r, f: levels.get(r.id, "info"), at)
    return isinstance(out[0][1], Finding)


def test_once_per_patient_reminders_keep_quiet_for_their_window(app: Any) -> None:
    guard = app.extensions["cds_runtime"].repeats
    emollient, plan = load_rules()["emollient-not-prescribed"], load_rules()["eczema-action-plan"]
    assert _shown(guard, emollient, NOW)
    assert not _shown(guard, emollient, NOW + timedelta(days=90))
    assert _shown(guard, emollient, NOW + timedelta(days=91))
    assert _shown(guard, plan, NOW)
    assert not _shown(guard, plan, NOW + timedelta(days=180))
    assert _shown(guard, plan, NOW + timedelta(days=181))


def test_a_reminder_triage_will_not_show_is_not_remembered(app: Any) -> None:
    guard = app.extensions["cds_runtime"].repeats
    plan = load_rules()["eczema-action-plan"]
    assert _shown(guard, plan, NOW, beside="warning")  # passed on; triage drops it
    assert _shown(guard, plan, NOW + timedelta(days=1))  # so it can still be shown later
    assert not _shown(guard, plan, NOW + timedelta(days=2))


def test_a_retry_of_the_same_call_gets_the_same_reminder(client: Any) -> None:
    body = load_fixture("eczema-action-plan/eczema-no-care-plan-in.json")
    rule = "eczema-action-plan"
    assert len(cards_for(post_hook(client, body), rule)) == 1
    assert len(cards_for(post_hook(client, body), rule)) == 1  # same hookInstance: a retry
    later = copy.deepcopy(body)
    later["hookInstance"] = "0c7f6f57-5a43-4c8e-a7f6-6d2b9c1f0e42"
    assert cards_for(post_hook(client, later), rule) == []


def test_a_constant_hook_instance_is_a_retry_only_for_minutes(app: Any) -> None:
    """Some clients (Da Vinci's request generator) send one hookInstance for every call: a
    call with the instance of the one that showed a reminder is its retry only soon after."""
    guard = app.extensions["cds_runtime"].repeats
    plan = load_rules()["eczema-action-plan"]

    def shown(at: datetime) -> bool:
        decisions: list[Any] = [(plan, Finding(plan.id, "fires"))]
        out = guard.apply("patient-view", "p1", decisions, lambda r, f: "info", at, "same")
        return isinstance(out[0][1], Finding)

    assert shown(NOW)
    assert shown(NOW + RETRY_WINDOW)  # a retry: the same answer
    assert not shown(NOW + RETRY_WINDOW + timedelta(seconds=1))  # another call: kept quiet
    assert not shown(NOW + timedelta(days=30))


def test_ids_with_lone_surrogates_are_keyed_not_a_500(app: Any) -> None:
    """JSON strings may hold lone surrogates; the HMAC keys must still be computed."""
    guard = app.extensions["cds_runtime"].repeats
    plan = load_rules()["eczema-action-plan"]
    decisions: list[Any] = [(plan, Finding(plan.id, "fires"))]
    out = guard.apply("patient-view", "p\ud800", decisions, lambda r, f: "info", NOW, "i\udfff")
    assert isinstance(out[0][1], Finding)
    assert guard.keys("p\ud800", "r", []) == []


def test_the_sqlite_lookup_answers_as_the_core_statement(app: Any) -> None:
    """`_seen` reads SQLite through the DBAPI connection; Core's statement gives the same keys,
    the window's edge included, whatever the time zone of `since`."""
    guard = app.extensions["cds_runtime"].repeats
    assert guard._bind_since is not None  # the SQLite path is the one tested
    guard._remember(["a", "b"], NOW)
    guard._remember(["c"], NOW - timedelta(hours=1))
    core = RepeatGuard(guard.engine)
    core._bind_since = None
    for since in (NOW - timedelta(hours=2), NOW - timedelta(hours=1), NOW, NOW.astimezone()):
        for keys in (["a", "b", "c", "x"], ["c"], ["x"], ["a", "a"]):
            assert guard._seen(keys, since) == core._seen(keys, since), (keys, since)
    assert guard._seen(["a", "c"], NOW - timedelta(hours=1)) == {"a", "c"}
    assert guard._seen(["a"], NOW + timedelta(microseconds=1)) == set()


def test_a_failing_sqlite_lookup_raises_sqlalchemys_error(app: Any) -> None:
    """What `apply` catches: without its table the guard is skipped, the call still answered."""
    guard = app.extensions["cds_runtime"].repeats
    with guard.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE advice_shown RENAME TO advice_gone")
    with pytest.raises(SQLAlchemyError):
        guard._seen(["a"], NOW)
    plan = load_rules()["eczema-action-plan"]  # once per patient: looked up on any hook
    decisions: list[Any] = [(plan, Finding(plan.id, "fires"))]
    assert guard.apply("patient-view", "p1", decisions, lambda r, f: "info", NOW) == decisions
