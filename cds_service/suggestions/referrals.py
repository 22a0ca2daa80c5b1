"""Referral and procedure suggestions (ServiceRequest drafts)."""

from __future__ import annotations

from cds_service.picture import PatientPicture
from cds_service.rules import Finding

from . import Action, builder, create, service_request
from ._texts import say


@builder("order-patch-test", texts={"action": "", "note": ""})
def order_patch_test(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Create a patch-test ServiceRequest (SNOMED 41778007)."""
    resource = service_request(picture, "41778007", "Patch test", note=say("note"))
    return [create(resource, say("action"))]


@builder("refer-dermatology", texts={"action": ""})
def refer_dermatology(finding: Finding, picture: PatientPicture) -> list[Action]:
    """Create a dermatology referral ServiceRequest (SNOMED 308472003)."""
    resource = service_request(picture, "308472003", "Referral to dermatologist")
    return [create(resource, say("action"))]
