"""The emollient order (NICE CG57 and NICE CKS atopic eczema: emollients in large amounts)."""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.rules import Finding

from . import Action, builder, create
from ._texts import say
from .topical_plans import _days, _request

# NICE CG57 / CKS atopic eczema: emollients in large amounts, 250-500 g a week for a child and
# about 500 g a week for an adult. The order is one week's supply with weekly repeats (12 weeks).
EMOLLIENT_CHILD_AGE = 12  # CG57 covers children under 12; from 12 the adult amount (CKS)
EMOLLIENT_GRAMS_CHILD = 250
EMOLLIENT_GRAMS_ADULT = 500
EMOLLIENT_WEEKS = 12


def emollient_grams(age: int | None) -> int | None:
    """Grams a week for the age (None when the age is unknown: the builder then offers none)."""
    if age is None:
        return None
    return EMOLLIENT_GRAMS_CHILD if age < EMOLLIENT_CHILD_AGE else EMOLLIENT_GRAMS_ADULT


@builder("order-emollient", texts={"action": "grams", "dosage": "grams", "product": ""})
def order_emollient(finding: Finding, picture: PatientPicture) -> list[Action]:
    """A bland emollient, a week's supply (250 g child / 500 g adult) with 11 weekly repeats.

    Text only: no RxNorm code for a white soft paraffin / petrolatum emollient was verified in
    public material (emollient.json says so); the `product` text names it exactly."""
    age = finding.values.get("age")
    grams = emollient_grams(age if isinstance(age, int) else picture.age_years)
    if grams is None:
        return []
    medication = {"medicationCodeableConcept": {"text": say("product")}}
    dosage = {
        "text": say("dosage", grams=grams),
        "timing": {
            "repeat": {
                "frequency": 2,
                "period": 1,
                "periodUnit": "d",
                "boundsDuration": _days(EMOLLIENT_WEEKS * 7),
            }
        },
    }
    like = finding.orders[0] if finding.orders else None
    resource = _request(picture, medication, [dosage], like, grams, same_site=False)
    resource["dispenseRequest"] |= {
        "numberOfRepeatsAllowed": EMOLLIENT_WEEKS - 1,
        "expectedSupplyDuration": _days(7),
    }
    return [create(resource, say("action", grams=grams))]
