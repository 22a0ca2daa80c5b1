"""eye-symptoms-on-biologic: conjunctivitis / keratitis on dupilumab, tralokinumab, lebrikizumab."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules._systemic_helpers import card, created

RULE = "eye-symptoms-on-biologic"


@pytest.mark.parametrize(
    "name",
    [
        "dupilumab-conjunctivitis-in",
        "lebrikizumab-keratitis-icd-in",
        "tralokinumab-allergic-conjunctivitis-in",
    ],
)
def test_eye_inflammation_on_biologic_suggests_ophthalmology(hooks: Any, name: str) -> None:
    found = card(hooks, RULE, name)
    assert found["indicator"] == "warning"
    assert found["suggestions"][0]["isRecommended"] is True
    (referral,) = created(found)
    assert referral["resourceType"] == "ServiceRequest"
    assert referral["status"] == "draft"
    # No verified SNOMED code for an ophthalmology referral: text only.
    assert "coding" not in referral["code"]
    assert "ophthalmology" in referral["code"]["text"]
