"""The response schema checks what this service emits: strict, no empties, no nulls."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.schemas import validation_errors

from .helpers import drop_path, full_response, set_path

CARD = ["cards", 0]
SUGGESTION = [*CARD, "suggestions", 0]
ACTION = [*SUGGESTION, "actions", 0]


def errors(response: Any) -> list[str]:
    return validation_errors("cds-response", response)


def test_full_response_is_valid() -> None:
    assert errors(full_response()) == []


def test_empty_cards_is_the_one_allowed_empty_array() -> None:
    assert errors({"cards": []}) == []


def test_missing_cards_is_rejected() -> None:
    assert errors({"systemActions": []}) == [
        "$.cards: required property missing",
        "$.systemActions: must not be an empty array",
    ]


def test_summary_of_139_characters_is_accepted() -> None:
    assert errors(set_path(full_response(), [*CARD, "summary"], "x" * 139)) == []


def test_summary_of_140_characters_is_rejected() -> None:
    assert errors(set_path(full_response(), [*CARD, "summary"], "x" * 140)) == [
        "$.cards[0].summary: must be at most 139 characters"
    ]


@pytest.mark.parametrize("member", ["summary", "indicator", "source"])
def test_required_card_member_missing_is_rejected(member: str) -> None:
    assert errors(drop_path(full_response(), [*CARD, member])) == [
        f"$.cards[0].{member}: required property missing"
    ]


def test_source_without_label_is_rejected() -> None:
    assert errors(drop_path(full_response(), [*CARD, "source", "label"])) == [
        "$.cards[0].source.label: required property missing"
    ]


def test_suggestions_without_selection_behavior_is_rejected() -> None:
    assert errors(drop_path(full_response(), [*CARD, "selectionBehavior"])) == [
        "$.cards[0].selectionBehavior: required property missing "
        "(selectionBehavior is required when suggestions are present (cds-resp-6))"
    ]


@pytest.mark.parametrize("indicator", ["hard-stop", "error", "success", "INFO"])
def test_indicator_outside_info_warning_critical_is_rejected(indicator: str) -> None:
    assert errors(set_path(full_response(), [*CARD, "indicator"], indicator)) == [
        '$.cards[0].indicator: must be one of "info", "warning", "critical"'
    ]


def test_selection_behavior_enum() -> None:
    assert errors(set_path(full_response(), [*CARD, "selectionBehavior"], "all")) == [
        '$.cards[0].selectionBehavior: must be one of "at-most-one", "any"'
    ]


def test_two_recommended_suggestions_need_selection_behavior_any() -> None:
    response = full_response()
    second = {"label": "Other", "isRecommended": True}
    response["cards"][0]["suggestions"].append(second)
    assert errors(response) == [
        "$.cards[0].suggestions: breaks a rule (with selectionBehavior 'at-most-one' "
        "at most one suggestion may be recommended (cds-resp-1))"
    ]
    response["cards"][0]["selectionBehavior"] = "any"
    assert errors(response) == []


def test_override_reason_without_display_is_rejected() -> None:
    assert errors(drop_path(full_response(), [*CARD, "overrideReasons", 0, "display"])) == [
        "$.cards[0].overrideReasons[0].display: required property missing "
        "(override reasons need a display (cds-resp-4))"
    ]


def test_topic_display_is_optional_but_code_and_system_are_required() -> None:
    response = drop_path(full_response(), [*CARD, "source", "topic", "system"])
    assert errors(response) == ["$.cards[0].source.topic.system: required property missing"]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ([*CARD, "detail"], "", "$.cards[0].detail: must not be empty"),
        ([*CARD, "uuid"], "", "$.cards[0].uuid: must not be empty"),
        ([*CARD, "links"], [], "$.cards[0].links: must not be an empty array"),
        ([*CARD, "suggestions"], [], "$.cards[0].suggestions: must not be an empty array"),
        ([*CARD, "overrideReasons"], [], "$.cards[0].overrideReasons: must not be an empty array"),
        ([*CARD, "extension"], {}, "$.cards[0].extension: must not be an empty object"),
        ([*CARD, "source", "url"], "", "$.cards[0].source.url: has the wrong format"),
        ([*SUGGESTION, "uuid"], "", "$.cards[0].suggestions[0].uuid: must not be empty"),
        ([*SUGGESTION, "actions"], [], "$.cards[0].suggestions[0].actions: must not be an empty"),
        ([*ACTION, "description"], "", "$.cards[0].suggestions[0].actions[0].description: must"),
        (
            [*SUGGESTION, "actions", 1, "resource"],
            {},
            "$.cards[0].suggestions[0].actions[1].resource: must not be an empty object",
        ),
        ([*CARD, "x-unknown"], "", "$.cards[0]['x-unknown']: must not be empty"),
        ([*CARD, "extension", "org.example.rule"], [], "$.cards[0].extension['org.example"),
    ],
)
def test_empty_members_are_rejected(path: list[str | int], value: Any, message: str) -> None:
    found = errors(set_path(full_response(), path, value))
    assert found and found[0].startswith(message), found


@pytest.mark.parametrize(
    "path",
    [
        [*CARD, "detail"],
        [*CARD, "uuid"],
        [*CARD, "links"],
        [*CARD, "source", "icon"],
        [*CARD, "source", "topic", "display"],
        [*SUGGESTION, "isRecommended"],
        [*CARD, "links", 1, "appContext"],
        [*CARD, "links", 1, "autolaunchable"],
        [*CARD, "unknownMember"],
        ["systemActions"],
        ["extension"],
    ],
)
def test_null_members_are_rejected(path: list[str | int]) -> None:
    found = errors(set_path(full_response(), path, None))
    assert len(found) == 1, found
    assert found[0].split(":")[0] in {
        "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    }
    assert "got null" in found[0]


@pytest.mark.parametrize("action_type", ["create", "update"])
def test_create_or_update_action_without_resource_is_rejected(action_type: str) -> None:
    response = drop_path(full_response(), [*SUGGESTION, "actions", 1, "resource"])
    response["cards"][0]["suggestions"][0]["actions"][1]["type"] = action_type
    assert errors(response) == [
        "$.cards[0].suggestions[0].actions[1].resource: required property missing "
        "(create and update actions carry the whole resource)"
    ]


@pytest.mark.parametrize("member", ["url", "icon"])
def test_source_url_and_icon_must_be_absolute(member: str) -> None:
    assert errors(set_path(full_response(), [*CARD, "source", member], "img/icon.png")) == [
        f"$.cards[0].source.{member}: has the wrong format (absolute http(s) URL)"
    ]


@pytest.mark.parametrize("value", ["org.example.rule", ["x"], 1])
def test_extension_must_be_an_object(value: object) -> None:
    found = errors(set_path(full_response(), [*CARD, "extension"], value))
    assert len(found) == 1 and found[0].startswith("$.cards[0].extension: expected object, got")


def test_delete_action_needs_resource_id() -> None:
    assert errors(drop_path(full_response(), [*ACTION, "resourceId"])) == [
        "$.cards[0].suggestions[0].actions[0].resourceId: required property missing "
        "(delete actions use resourceId (cds-resp-2))"
    ]


def test_deprecated_delete_with_resource_id_string_in_resource_is_rejected() -> None:
    """1.0 style: {"type": "delete", "resource": "MedicationRequest/x"} (req 133)."""
    response = drop_path(full_response(), [*ACTION, "resourceId"])
    response["cards"][0]["suggestions"][0]["actions"][0]["resource"] = "MedicationRequest/x"
    assert errors(response) == [
        "$.cards[0].suggestions[0].actions[0].resource: expected object, got string",
        "$.cards[0].suggestions[0].actions[0].resourceId: required property missing "
        "(delete actions use resourceId (cds-resp-2))",
        "$.cards[0].suggestions[0].actions[0].resource: not allowed here "
        "(delete actions use resourceId, not resource (cds-resp-2))",
    ]


def test_resource_id_must_be_a_relative_reference() -> None:
    response = set_path(full_response(), [*ACTION, "resourceId"], "request-123")
    assert errors(response) == [
        "$.cards[0].suggestions[0].actions[0].resourceId: has the wrong format "
        "(relative reference 'ResourceType/id')"
    ]


def test_action_type_enum() -> None:
    assert errors(set_path(full_response(), [*ACTION, "type"], "remove")) == [
        '$.cards[0].suggestions[0].actions[0].type: must be one of "create", "update", "delete"'
    ]


def test_app_context_on_absolute_link_is_rejected() -> None:
    assert errors(set_path(full_response(), [*CARD, "links", 0, "appContext"], "x=1")) == [
        "$.cards[0].links[0].appContext: not allowed here "
        "(appContext is only allowed on smart links (cds-resp-3))"
    ]


@pytest.mark.parametrize("member", ["label", "url", "type"])
def test_link_requires_label_url_type(member: str) -> None:
    assert errors(drop_path(full_response(), [*CARD, "links", 0, member])) == [
        f"$.cards[0].links[0].{member}: required property missing"
    ]


def test_link_type_enum_and_url_absolute() -> None:
    response = set_path(full_response(), [*CARD, "links", 0, "type"], "relative")
    response["cards"][0]["links"][0]["url"] = "/guideline"
    assert errors(response) == [
        "$.cards[0].links[0].url: has the wrong format (absolute http(s) URL)",
        '$.cards[0].links[0].type: must be one of "absolute", "smart"',
    ]


def test_suggestion_requires_label() -> None:
    assert errors(drop_path(full_response(), [*SUGGESTION, "label"])) == [
        "$.cards[0].suggestions[0].label: required property missing"
    ]
