"""Swaps for topical anti-inflammatory orders (AAD 2023; TCI labels)."""

from __future__ import annotations

from typing import Any

from cds_service.picture import PatientPicture
from cds_service.rules import Finding

from . import Action, builder
from ._swap import swap
from ._texts import SHARED, declare, say, say_shared

# RxNorm clinical drugs (SCD) offered as replacements, never ingredient codes; each code's
# provenance is in its value set's description (tci.json, tcs.json).
TACROLIMUS = {
    "0.03%": ("313189", "tacrolimus 0.0003 MG/MG Topical Ointment"),
    "0.1%": ("314266", "tacrolimus 0.001 MG/MG Topical Ointment"),
}
PIMECROLIMUS_1_CREAM = ("562806", "pimecrolimus 10 MG/ML Topical Cream")
HYDROCORTISONE_1_CREAM = ("106258", "hydrocortisone 10 MG/ML Topical Cream")
FLUTICASONE_005_CREAM = ("895987", "fluticasone propionate 0.5 MG/GM Topical Cream")


# Each swap's dosage instruction is its `dosage` text in cards/_suggestions.toml; `{site}` is
# the draft's site, or [common] affected_area when it names none.
SWAP_TEXTS = {"dosage": "site"}


declare(SHARED, {"affected_area": ""})


def _dosage(place: str | None) -> str:
    return say("dosage", site=place or say_shared("affected_area"))


def _topical_swap(
    finding: Finding, picture: PatientPicture, code: tuple[str, str], text: str, **dosage: Any
) -> list[Action]:
    """Create the topical at the draft's site (30 g tube, twice daily), then delete the draft."""
    med = {"per_day": 2, "days": 28, "quantity_g": 30, **dosage}
    return swap(finding, picture, _dosage, code=code, text=text, **med)


@builder("swap-to-tacrolimus", texts=SWAP_TEXTS)
def swap_to_tacrolimus(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft, create tacrolimus ointment of the age-appropriate strength."""
    strength = str(finding.values["tacrolimus_strength"])
    return _topical_swap(finding, picture, TACROLIMUS[strength], f"tacrolimus {strength} ointment")


@builder("swap-to-pimecrolimus", texts=SWAP_TEXTS)
def swap_to_pimecrolimus(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft, create pimecrolimus 1% cream (from 2 years)."""
    return _topical_swap(finding, picture, PIMECROLIMUS_1_CREAM, "pimecrolimus 1% cream")


@builder("swap-to-hydrocortisone", texts=SWAP_TEXTS)
def swap_to_hydrocortisone(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft, create a US class VII steroid (hydrocortisone 1% cream)."""
    return _topical_swap(
        finding,
        picture,
        HYDROCORTISONE_1_CREAM,
        "hydrocortisone 1% cream",
        days=14,
    )


# Wet wraps (AAD 2023 topical guideline: short courses, 3-7 days, with a lower-potency
# steroid): once daily under the wraps for 7 days, in place of a class I-II steroid.


@builder("swap-wet-wrap-to-hydrocortisone", texts=SWAP_TEXTS)
def swap_wet_wrap_to_hydrocortisone(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the class I-II draft, create hydrocortisone 1% cream (US class VII) under the
    wraps once daily for 7 days."""
    return _topical_swap(
        finding,
        picture,
        HYDROCORTISONE_1_CREAM,
        "hydrocortisone 1% cream",
        per_day=1,
        days=7,
    )


@builder("swap-wet-wrap-to-fluticasone", texts=SWAP_TEXTS)
def swap_wet_wrap_to_fluticasone(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the class I-II draft, create fluticasone propionate 0.05% cream (US class V,
    lower mid-strength) under the wraps once daily for 7 days."""
    return _topical_swap(
        finding,
        picture,
        FLUTICASONE_005_CREAM,
        "fluticasone propionate 0.05% cream",
        per_day=1,
        days=7,
    )


@builder("swap-to-fluticasone", texts=SWAP_TEXTS)
def swap_to_fluticasone(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft, create fluticasone propionate 0.05% cream (US class V, lower
    mid-strength; the Cutivate cream label allows it from 3 months of age, once or twice
    daily, not beyond 4 weeks in children): once daily for 14 days, for a child over 1 year."""
    return _topical_swap(
        finding,
        picture,
        FLUTICASONE_005_CREAM,
        "fluticasone propionate 0.05% cream",
        per_day=1,
        days=14,
    )
