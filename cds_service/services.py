"""Service definitions (data): discovery and dispatch are both generated from these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cds_service.rules import Rule

# Prefetch templates, all valid CDS Hooks 2.0.1 / FHIR R4 searches. Services list only the
# keys their rules need.
TEMPLATES: Mapping[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}&category=laboratory,vital-signs",
    "careplans": "CarePlan?patient={{context.patientId}}",
    "servicerequests": "ServiceRequest?patient={{context.patientId}}",
}
# Without these no rule can decide (age, the eczema gate): the call answers 412.
ESSENTIAL = frozenset({"patient", "conditions"})


@dataclass(frozen=True)
class ServiceDefinition:
    """One CDS service: id, hook, discovery text and the rules it runs."""

    id: str
    hook: str
    title: str
    description: str
    rules: tuple[Rule, ...]

    @property
    def prefetch(self) -> dict[str, str]:
        """The templates this service's rules need, in a stable order."""
        needed = set(ESSENTIAL).union(*(r.needs for r in self.rules))
        return {k: v for k, v in TEMPLATES.items() if k in needed}

    def discovery(self) -> dict[str, object]:
        """This service's entry in the discovery response."""
        return {
            "hook": self.hook,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "prefetch": self.prefetch,
            "usageRequirements": (
                "Send the patient's Condition and MedicationRequest history; "
                "draft orders coded with RxNorm and dosageInstruction.site coded with SNOMED CT "
                "give the most precise advice."
            ),
        }


_DEFS = (
    (
        "eczema-order-select",
        "order-select",
        "Eczema prescribing advisor (order select)",
        "Checks the medication just selected for a patient with atopic dermatitis / eczema "
        "against guidelines and labels (steroid potency by body site, calcineurin inhibitor "
        "age limits, patch testing, emollients, antihistamines) and suggests safer swaps.",
    ),
    (
        "eczema-order-sign",
        "order-sign",
        "Eczema prescribing safety check (order sign)",
        "Last check before signing medication orders for a patient with atopic dermatitis / "
        "eczema: potent steroids on sensitive sites, quantity and duration limits, label age "
        "limits, systemic therapy screening and combinations.",
    ),
    (
        "eczema-patient-view",
        "patient-view",
        "Eczema care review (patient view)",
        "On opening the chart of a patient with atopic dermatitis / eczema: red flags "
        "(eczema herpeticum, cellulitis), patch testing, maintenance and care-plan gaps.",
    ),
)


def build_services(rules: Mapping[str, Rule]) -> dict[str, ServiceDefinition]:
    """The three services, each with the registered rules that run on its hook."""
    return {
        sid: ServiceDefinition(
            id=sid,
            hook=hook,
            title=title,
            description=description,
            rules=tuple(r for _, r in sorted(rules.items()) if hook in r.hooks),
        )
        for sid, hook, title, description in _DEFS
    }
