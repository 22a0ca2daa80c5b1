"""Every suggestion in every fixture response: acceptable unchanged by a prescriber and by the
clients that apply it (issue 12 "suggestions a prescriber can accept unchanged", issue 14
"real CDS Hooks Sandbox").

- every suggested resource is valid FHIR R4 (fhir.resources R4B models);
- a created MedicationRequest is a complete draft order for the patient: coded at the orderable
  level (an RxNorm code from a project value set, never an ingredient) or exact text, a dosage
  with route, timing and text, and a dispense quantity;
- a swap (create + delete of a draft) carries the draft's site, and puts `create` first: the
  CDS Hooks Sandbox applies only the first action of a suggestion (`delete` clears its order
  form, `create`/`update` copy `medicationCodeableConcept`), while a client applying every
  action replaces the draft exactly once;
- `update` and `delete` name a draft that has an id;
- under `selectionBehavior: at-most-one` at most one suggestion is recommended, in the
  responses and in the card files.
"""

from __future__ import annotations

import copy
import json
import tomllib
from functools import cache
from typing import Any

import pytest

from cds_service.picture.access import duration_days
from cds_service.picture.dosage import duration_in_text
from cds_service.runtime import Runtime
from tests.conftest import FIXTURES, ROOT, load_fixture, make_settings, pinned_clock, post_hook
from tests.hookcall import HookCaller
from tests.test_fixtures import validate_fhir

ALL_FIXTURES = sorted(FIXTURES.glob("*/*.json"))
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
VALUE_SETS = ROOT / "cds_service" / "terminology" / "data" / "valuesets"
# RxNorm names of orderable products carry a dose form (SCD / SBD), ingredients do not.
DOSE_FORMS = ("Topical", "Oral", "Injection", "Syringe", "Ointment", "Cream", "Capsule", "Tablet")


@cache
def _value_set_codes() -> dict[str, str]:
    """RxNorm code -> display over every project value set expansion (their provenance)."""
    codes: dict[str, str] = {}
    for path in sorted(VALUE_SETS.glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8"))["expansion"].get("contains", []):
            if entry["system"] == RXNORM:
                codes[entry["code"]] = entry["display"]
    return codes


def _drafts(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entries = body["context"].get("draftOrders", {}).get("entry", [])
    return {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"]
        for e in entries
        if e.get("resource", {}).get("id")
    }


@cache
def _responses() -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(fixture, request body, cards) for every fixture, each answered in process with a
    database of its own (the repeat guards would otherwise hide cards of fixtures sharing a
    patient); start-up is shared."""
    found = []
    started = Runtime.start(make_settings(None), clock=pinned_clock)
    try:
        for path in ALL_FIXTURES:
            hooks = HookCaller(started)
            body = load_fixture(path)
            response = post_hook(hooks, body)
            hooks.close()
            if response.status_code == 200:
                name = f"{path.parent.name}/{path.stem}"
                found.append((name, body, response.get_json().get("cards", [])))
    finally:
        started.store.dispose()
    return found


def _suggestions() -> list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]]:
    return [
        (name, body, card, suggestion)
        for name, body, cards in _responses()
        for card in cards
        for suggestion in card.get("suggestions", [])
    ]


def _ordered_concepts(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every medicationCodeableConcept of the request (drafts and prefetched orders)."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("medicationCodeableConcept"), dict):
                found.append(value["medicationCodeableConcept"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk({"context": body["context"], "prefetch": body.get("prefetch")})
    return found


def _is_swap(suggestion: dict[str, Any]) -> bool:
    types = [a["type"] for a in suggestion["actions"]]
    return "create" in types and "delete" in types


def test_the_fixtures_carry_suggestions_of_every_shape() -> None:
    kinds = {a["type"] for _, _, _, s in _suggestions() for a in s["actions"]}
    assert kinds == {"create", "update", "delete"}
    assert sum(_is_swap(s) for _, _, _, s in _suggestions()) >= 20


def test_every_suggested_resource_is_valid_r4() -> None:
    for name, _, _, suggestion in _suggestions():
        for action in suggestion["actions"]:
            if "resource" in action:
                try:
                    validate_fhir(action["resource"])
                except Exception as exc:  # pragma: no cover - the message names the fixture
                    pytest.fail(f"{name}: {suggestion['label']}: {exc}")


def test_created_orders_are_complete_drafts_for_the_patient() -> None:
    codes = _value_set_codes()
    for name, body, _, suggestion in _suggestions():
        patient = f"Patient/{body['context']['patientId']}"
        for action in suggestion["actions"]:
            resource = action.get("resource", {})
            if action["type"] != "create" or resource["resourceType"] != "MedicationRequest":
                continue
            where = f"{name}: {suggestion['label']}"
            assert resource["status"] == "draft", where
            assert resource["intent"] == "order", where
            assert resource["subject"] == {"reference": patient}, where
            concept = resource["medicationCodeableConcept"]
            assert concept["text"].strip(), where
            if concept in _ordered_concepts(body):
                continue  # the same drug as an order of the chart (e.g. maintenance), as coded
            for coding in concept.get("coding", []):
                assert coding["system"] == RXNORM, where
                assert coding["code"] in codes, f"{where}: {coding['code']} in no value set"
                assert coding["display"] == codes[coding["code"]], where
                assert any(f in coding["display"] for f in DOSE_FORMS), f"{where}: not an SCD"
            for dosage in resource["dosageInstruction"]:
                assert dosage["text"].strip() and dosage.get("route", {}).get("coding"), where
                repeat = dosage["timing"]["repeat"]
                assert repeat.get("frequency") or repeat.get("count"), where
            assert resource["dispenseRequest"]["quantity"]["value"] > 0, where


def test_swaps_create_first_delete_once_and_keep_the_draft_site() -> None:
    for name, body, _, suggestion in _suggestions():
        if not _is_swap(suggestion):
            continue
        where = f"{name}: {suggestion['label']}"
        actions = suggestion["actions"]
        assert actions[0]["type"] == "create", where
        deleted = [a["resourceId"] for a in actions if a["type"] == "delete"]
        assert len(deleted) == len(set(deleted)) == 1, where
        draft = _drafts(body)[deleted[0]]
        site = (draft.get("dosageInstruction") or [{}])[0].get("site")
        created = actions[0]["resource"]
        if created["resourceType"] != "MedicationRequest" or not site:
            continue
        new_site = created["dosageInstruction"][0]["site"]
        old_codes = {c.get("code") for c in site.get("coding", [])}
        assert old_codes <= {c.get("code") for c in new_site.get("coding", [])}, where
        assert new_site.get("text"), f"{where}: the site has no text"


def _sandbox_form(draft: dict[str, Any], action: dict[str, Any]) -> dict[str, Any] | None:
    """The CDS Hooks Sandbox's order form after it applies ONE action (and stops)."""
    form = copy.deepcopy(draft.get("medicationCodeableConcept"))
    if action["type"] == "delete":
        return None  # the drug is cleared
    resource = action["resource"]
    if resource["resourceType"] == "MedicationRequest":
        return copy.deepcopy(resource.get("medicationCodeableConcept"))
    return form


def test_the_sandbox_applying_only_the_first_action_keeps_the_replacement() -> None:
    seen = 0
    for name, body, _, suggestion in _suggestions():
        if not _is_swap(suggestion):
            continue
        created = next(a for a in suggestion["actions"] if a["type"] == "create")["resource"]
        if created["resourceType"] != "MedicationRequest":
            continue
        deleted = next(a for a in suggestion["actions"] if a["type"] == "delete")["resourceId"]
        form = _sandbox_form(_drafts(body)[deleted], suggestion["actions"][0])
        assert form == created["medicationCodeableConcept"], f"{name}: {suggestion['label']}"
        seen += 1
    assert seen >= 20


def test_a_client_applying_every_action_replaces_the_draft_exactly_once() -> None:
    for name, body, _, suggestion in _suggestions():
        if not _is_swap(suggestion):
            continue
        orders = dict(_drafts(body))
        added = 0
        for action in suggestion["actions"]:
            if action["type"] == "delete":
                assert action["resourceId"] in orders, name
                del orders[action["resourceId"]]
            elif action["type"] == "create":
                added += 1
        assert added == 1, f"{name}: {suggestion['label']}"
        assert len(orders) == len(_drafts(body)) - 1, name


def test_update_and_delete_name_a_draft_with_an_id() -> None:
    for name, body, _, suggestion in _suggestions():
        drafts = _drafts(body)
        for action in suggestion["actions"]:
            if action["type"] == "delete":
                assert action["resourceId"] in drafts, name
                assert "resource" not in action, name  # 2.0.1: delete carries resourceId only
            elif action["type"] == "update":
                resource = action["resource"]
                assert f"{resource['resourceType']}/{resource.get('id')}" in drafts, name


def test_at_most_one_recommended_suggestion_per_card() -> None:
    for name, _, cards in _responses():
        for card in cards:
            if card.get("selectionBehavior") == "at-most-one":
                recommended = [s for s in card["suggestions"] if s.get("isRecommended")]
                assert len(recommended) <= 1, f"{name}: {card['summary']}"


def test_card_files_recommend_at_most_one_suggestion_per_variant() -> None:
    for path in sorted((ROOT / "cards").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if data.get("selection_behavior") != "at-most-one":
            continue
        default = [s["key"] for s in data.get("suggestions", []) if s.get("recommended")]
        assert len(default) <= 1, f"{path.name}: recommends {default}"
        for variant in data.get("variants", {}).values():
            assert isinstance(variant.get("recommended", ""), str), path.name


def test_an_update_that_sets_the_course_leaves_no_other_length_in_the_instruction() -> None:
    """A duration change keeps the sig's words in step: "twice daily for 4 weeks" with a
    14-day bound would be two courses in one order (the prescriber signs the words)."""
    seen = 0
    for name, _, _, suggestion in _suggestions():
        for action in suggestion["actions"]:
            resource = action.get("resource", {})
            if action["type"] != "update" or resource["resourceType"] != "MedicationRequest":
                continue
            for dosage in resource.get("dosageInstruction") or []:
                bounds = (dosage.get("timing") or {}).get("repeat", {}).get("boundsDuration")
                text = dosage.get("text")
                if not (bounds and isinstance(text, str) and duration_in_text(text)):
                    continue
                seen += 1
                days = duration_days(bounds)
                where = f"{name}: {suggestion['label']}: {text!r}"
                assert duration_in_text(text) == days, where
    assert seen >= 1
