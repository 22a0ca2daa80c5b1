"""A sensitive-site swap for a draft that also names other sites keeps those sites: the new
order is for the sensitive site only (one site coding per dosage), and the draft is updated to
drop the sensitive site when its sites are coded, never deleted."""

from __future__ import annotations

from typing import Any

from cds_service.rules._topical import site_name
from tests.conftest import cards_for, load_fixture, post_hook

RULE = "tcs-potent-on-sensitive-site"


def _card(hooks: Any, name: str) -> dict[str, Any]:
    (card,) = cards_for(post_hook(hooks, load_fixture(f"{RULE}/{name}.json")), RULE)
    return card


def _site_codes(dosage: dict[str, Any]) -> list[str]:
    return [c["code"] for c in dosage.get("site", {}).get("coding", [])]


def test_coded_neck_and_legs_orders_the_neck_and_updates_the_draft_to_the_legs(
    hooks: Any,
) -> None:
    for name in (
        "clobetasol-neck-and-legs-two-coded-dosages-in",
        "clobetasol-neck-and-legs-one-site-two-codings-in",
    ):
        card = _card(hooks, name)
        for suggestion in card["suggestions"]:
            create, update = suggestion["actions"]  # create first (Sandbox), no delete
            assert create["type"] == "create" and update["type"] == "update", name
            assert "legs" in create["description"]
            (dosage,) = create["resource"]["dosageInstruction"]
            assert _site_codes(dosage) == ["45048000"], name  # neck only
            kept = update["resource"]["dosageInstruction"]
            assert [_site_codes(d) for d in kept] == [["61685007"]], name  # legs only
            assert "Not on the neck" in kept[0]["text"]
            assert update["resource"]["id"] == "d1"


def test_sites_only_in_the_text_get_no_delete_and_say_which_sites_stay(hooks: Any) -> None:
    card = _card(hooks, "clobetasol-face-and-trunk-in-text-in")
    for suggestion in card["suggestions"]:
        (create,) = suggestion["actions"]  # the draft is not deleted: the trunk stays ordered
        assert create["type"] == "create"
        assert "the draft stays for the" in create["description"]
        assert "trunk" in create["description"]
        assert create["resource"]["dosageInstruction"][0]["site"]["text"] == "face"


def test_legs_only_draft_gets_no_sensitive_site_card(hooks: Any) -> None:
    body = load_fixture(f"{RULE}/clobetasol-legs-coded-dosage-only-out.json")
    assert cards_for(post_hook(hooks, body), RULE) == []


def test_several_other_sites_are_named_as_a_list_with_and() -> None:
    """ "the draft stays for the arms, trunk" reads as a typo: "arms and trunk"."""
    assert site_name(frozenset({"trunk", "upper-limb"})) == "arms and trunk"
    assert site_name(frozenset({"trunk", "upper-limb", "lower-limb"})) == "arms, legs and trunk"
    assert site_name(frozenset({"lower-limb"})) == "legs"
