"""Eczema herpeticum actions (NICE CG57: start systemic aciclovir and refer the same day;
same-day ophthalmology when the lesions are around the eyes).

Oral aciclovir dose by age, for herpes simplex skin infection, 5 days: Zovirax SmPC (emc,
https://www.medicines.org.uk/emc/product/76/smpc): adults 200 mg five times daily (about every
4 hours, omitting the night dose) for 5 days; children from 2 years the adult dose; under
2 years half the adult dose; "the 200mg/5ml suspension is the more appropriate treatment for
herpes simplex". The Oxford University Hospitals paediatric antimicrobial guide for eczema
herpeticum (https://ouh.quris.com/hospital-guidelines/paediatric-antimicrobial-guide/) gives
the same bands (1-23 months 100 mg, 2-11 years 200 mg, five times a day, 5 days). Children
under 12 get the 200 mg/5 mL suspension (2.5 mL or 5 mL), never a capsule; from 12 years the
SmPC adult dose as a 200 mg capsule (rules/_redflags.py `aciclovir_dose`; the card states the
dose and its source). Under 1 month: no oral order (neonatal herpes is treated intravenously
in hospital), so only the referral is offered.
"""

from __future__ import annotations

from typing import Any

from cds_service.picture import PatientPicture
from cds_service.rules import Finding
from cds_service.rules._redflags import aciclovir_dose

from . import Action, _subject, builder, create, rxnorm_concept
from ._texts import say
from .red_flags import stat_referral

UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
ORAL = {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}]}
DOSES_PER_DAY = 5
COURSE_DAYS = 5
# 200 mg capsule: RxNorm SCD 197310 (antiviral.json gives its provenance).
CAPSULE_200 = ("197310", "acyclovir 200 MG Oral Capsule")
# The 200 mg/5 mL suspension: no verified RxCUI, named by the `suspension` text.


def _product(
    suspension: bool, months: int
) -> tuple[dict[str, Any], dict[str, Any], str, dict[str, Any]]:
    """(medication, dose, dose words, quantity for the course) of the suspension or capsule."""
    doses = DOSES_PER_DAY * COURSE_DAYS
    if suspension:  # 100 mg = 2.5 mL, 200 mg = 5 mL of 200 mg/5 mL
        ml = 2.5 if months < 24 else 5.0
        return (
            rxnorm_concept(("", ""), say("suspension")),
            {"value": ml, "unit": "mL", "system": UCUM, "code": "mL"},
            say("suspension_dose", mg=f"{40 * ml:g}", ml=f"{ml:g}"),
            {"value": ml * doses, "unit": "mL", "system": UCUM, "code": "mL"},
        )
    return (
        rxnorm_concept(CAPSULE_200, "aciclovir (acyclovir) 200 mg capsule"),
        {"value": 1, "unit": "capsule"},
        say("capsule_dose"),
        {"value": doses, "unit": "capsule"},
    )


def aciclovir_request(picture: PatientPicture, reason_ref: str | None) -> dict[str, Any] | None:
    """The age-banded oral aciclovir draft, or None under 1 month or without an age."""
    months = picture.age_months
    banded = aciclovir_dose(months)
    if months is None or banded is None:
        return None
    medication, dose, amount, quantity = _product(banded[0] == "suspension", months)
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "priority": "stat",
        "medicationCodeableConcept": medication,
        "subject": _subject(picture),
        "authoredOn": picture.today.isoformat(),
        "dosageInstruction": [
            {
                "text": say("dosage", amount=amount, days=COURSE_DAYS),
                "timing": {
                    "repeat": {
                        "frequency": DOSES_PER_DAY,
                        "period": 1,
                        "periodUnit": "d",
                        "boundsDuration": {
                            "value": COURSE_DAYS,
                            "unit": "days",
                            "system": UCUM,
                            "code": "d",
                        },
                    }
                },
                "route": ORAL,
                "doseAndRate": [{"doseQuantity": dose}],
            }
        ],
        "dispenseRequest": {
            "quantity": quantity,
            "expectedSupplyDuration": {
                "value": COURSE_DAYS,
                "unit": "days",
                "system": UCUM,
                "code": "d",
            },
        },
    }
    if reason_ref:
        resource["reasonReference"] = [{"reference": reason_ref}]
    return resource


@builder(
    "order-oral-aciclovir",
    texts={
        "action": "days",
        "dosage": "amount days",
        "suspension_dose": "mg ml",
        "capsule_dose": "",
        "suspension": "",
    },
)
def order_oral_aciclovir(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Oral aciclovir at the age-banded dose for 5 days (nothing under 1 month)."""
    ref = str(finding.values.get("condition_ref") or "") or None
    resource = aciclovir_request(picture, ref)
    if resource is None:
        return []
    return [create(resource, say("action", days=COURSE_DAYS))]


@builder("same-day-ophthalmology", texts={"action": "", "order": "", "note": ""})
def same_day_ophthalmology(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Same-day ophthalmology review for periocular eczema herpeticum (text only: no verified
    SNOMED code for an ophthalmology referral)."""
    resource = stat_referral(
        finding,
        picture,
        None,
        say("order"),
        say("note"),
    )
    return [create(resource, say("action"))]
