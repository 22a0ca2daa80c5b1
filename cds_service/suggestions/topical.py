"""Swaps for topical anti-inflammatory orders (AAD 2023; TCI labels)."""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.rules import Finding

from . import Action, builder, swap

# RxNorm clinical drugs offered as replacements (codes and marks from clinical-rules §2.1).
TACROLIMUS = {
    "0.03%": ("313189", "tacrolimus 0.0003 MG/MG Topical Ointment"),
    "0.1%": ("314266", "tacrolimus 0.001 MG/MG Topical Ointment"),
}
PIMECROLIMUS_IN = ("321952", "pimecrolimus")  # ingredient code; the SCD was not verified
HYDROCORTISONE_1_CREAM = ("106258", "hydrocortisone 10 MG/ML Topical Cream")


@builder("swap-to-tacrolimus")
def swap_to_tacrolimus(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft, create tacrolimus ointment of the age-appropriate strength."""
    strength = str(finding.values["tacrolimus_strength"])
    return swap(
        finding,
        picture,
        code=TACROLIMUS[strength],
        text=f"tacrolimus {strength} ointment",
        instruction="Apply a thin layer to the affected area twice daily",
        per_day=2,
        days=28,
        quantity_g=30,
    )


@builder("swap-to-pimecrolimus")
def swap_to_pimecrolimus(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft, create pimecrolimus 1% cream (from 2 years)."""
    return swap(
        finding,
        picture,
        code=PIMECROLIMUS_IN,
        text="pimecrolimus 1% cream",
        instruction="Apply a thin layer to the affected area twice daily",
        per_day=2,
        days=28,
        quantity_g=30,
    )


@builder("swap-to-hydrocortisone")
def swap_to_hydrocortisone(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Delete the draft, create a US class VII steroid (hydrocortisone 1% cream)."""
    return swap(
        finding,
        picture,
        code=HYDROCORTISONE_1_CREAM,
        text="hydrocortisone 1% cream",
        instruction="Apply a thin layer to the affected area once or twice daily",
        per_day=2,
        days=14,
        quantity_g=30,
    )
