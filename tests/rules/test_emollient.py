"""emollient-not-prescribed: missing emollient with treatment, and emollients being stopped."""

from __future__ import annotations

from typing import Any

from tests.conftest import cards_for, load_fixture, post_hook

RULE = "emollient-not-prescribed"


def _cards(client: Any, name: str) -> list[dict[str, Any]]:
    return cards_for(post_hook(client, load_fixture(f"{RULE}/{name}.json")), RULE)


def test_steroid_without_emollient_creates_a_text_only_emollient(client: Any) -> None:
    (card,) = _cards(client, "triamcinolone-no-emollient-select-in")
    assert card["indicator"] == "info"
    (suggestion,) = card["suggestions"]
    assert suggestion["isRecommended"] is True
    (action,) = suggestion["actions"]
    resource = action["resource"]
    assert action["type"] == "create"
    assert resource["status"] == "draft"
    assert resource["subject"] == {"reference": "Patient/emol-none"}
    assert "coding" not in resource["medicationCodeableConcept"]  # no verified RxNorm code
    repeat = resource["dosageInstruction"][0]["timing"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (2, 1, "d")
    assert "site" not in resource["dosageInstruction"][0]  # all dry skin, not the steroid site


def test_90_day_window_both_sides(client: Any) -> None:
    assert _cards(client, "triamcinolone-emollient-ended-90-days-ago-out") == []
    assert len(_cards(client, "triamcinolone-emollient-ended-91-days-ago-in")) == 1


def test_emollient_found_by_text_draft_or_active_order(client: Any) -> None:
    for name in (
        "triamcinolone-otc-emollient-text-out",
        "triamcinolone-with-emollient-draft-out",
        "triamcinolone-emollient-active-out",
    ):
        assert _cards(client, name) == [], name


def test_stopped_emollient_uses_variant(client: Any) -> None:
    for name in ("view-emollient-stopped-30-days-ago-in", "sign-emollient-being-stopped-in"):
        (card,) = _cards(client, name)
        assert card["summary"].startswith("Keep the emollient going")
    assert _cards(client, "view-emollient-stopped-another-active-out") == []
    assert _cards(client, "view-emollient-stopped-a-year-ago-out") == []


def test_no_anti_inflammatory_or_no_eczema_is_silent(client: Any) -> None:
    assert _cards(client, "cetirizine-no-emollient-out") == []
    assert _cards(client, "view-no-treatment-out") == []
    assert _cards(client, "triamcinolone-no-emollient-no-eczema-out") == []
