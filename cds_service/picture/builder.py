"""Build the patient picture from the request context and the resolved prefetch/FHIR data.

Knowledge of FHIR shapes lives in this package: here (which resource is which, the patient's
own, conditions and observations), `orders.py`, `dosage.py` and `order_sites.py`
(MedicationRequest: medicationCodeableConcept vs medicationReference, dosageInstruction.site
vs text, timing) and `access.py` (element accessors). The layers above read picture facts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from cds_service.terminology import Terminology

from . import access as fx
from .identity import Owner
from .lazy import LazyFacts, ObservationBatch
from .memo import Memo
from .model import ConditionFact, MedicationOrder, ObservationFact, PatientPicture, RecordFact
from .order_sites import reason_sites
from .orders import build_order
from .records import build_condition, build_observation, build_record

log = logging.getLogger(__name__)


def build_picture(
    *,
    hook: str,
    context: Mapping[str, Any],
    resources: Iterable[Mapping[str, Any] | ObservationBatch],
    medications: Mapping[str, Mapping[str, Any]],
    terminology: Terminology,
    now: datetime,
    unavailable: Iterable[str] = (),
    owner: Owner | None = None,
) -> PatientPicture:
    """One snapshot per call; a resource that cannot be read is skipped and counted, one that
    names another patient is dropped and recorded in `owner` (`identity.py`)."""
    patient_id = fx.text(context.get("patientId"))
    owner = owner if owner is not None else Owner(patient_id)
    drafts = [d for d in _draft_requests(context) if owner.owns(d)]
    chart = _Chart(patient_id, owner, medications, terminology, drafts)
    selections = _selections(context) if hook == "order-select" else None
    for draft in drafts:
        in_scope = selections is None or f"MedicationRequest/{draft.get('id')}" in selections
        order = _safe(build_order, draft, medications, terminology, True, in_scope)
        chart.keep(order, chart.orders)
    for res in resources:
        chart.add(res)
    _sites_from_reason_conditions(chart.orders, chart.conditions, terminology)
    patient = chart.patient
    birth = fx.parse_date(patient.get("birthDate")) if isinstance(patient, Mapping) else None
    gender = fx.text(patient.get("gender")) if isinstance(patient, Mapping) else None
    return PatientPicture(
        hook=hook,
        now=now,
        terminology=terminology,
        patient_id=patient_id,
        birth_date=birth,
        gender=gender,
        conditions=tuple(chart.conditions),
        orders=tuple(chart.orders),
        observations=LazyFacts(partial(_expand, chart.observations), _observation),
        records=tuple(chart.records),
        unavailable=frozenset(unavailable),
        unreadable=chart.unreadable,
    )


class _Chart:
    """The call's resources sorted by kind as they are read: each resource once (the same one
    may be prefetched under two keys), only the patient's own, unreadable ones counted."""

    def __init__(
        self,
        patient_id: str | None,
        owner: Owner,
        medications: Mapping[str, Mapping[str, Any]],
        terminology: Terminology,
        drafts: list[Mapping[str, Any]],
    ) -> None:
        self.patient_id, self.owner = patient_id, owner
        self.medications, self.terminology = medications, terminology
        self.draft_ids = {d["id"] for d in drafts if isinstance(d.get("id"), str)}
        self.patient: Mapping[str, Any] | None = None
        self.conditions: list[ConditionFact] = []
        self.orders: list[MedicationOrder] = []
        self.observations: list[Any] = []  # resources or deferred chunks: built when read
        self.records: list[RecordFact] = []
        self.unreadable = 0
        self.seen: set[tuple[str, str]] = set()
        self.memo = Memo()  # what this call's resources share: memo.py

    def keep(self, built: Any, target: list[Any]) -> None:
        if built is None:
            self.unreadable += 1
        else:
            target.append(built)

    def add(self, res: Mapping[str, Any] | ObservationBatch) -> None:
        if type(res) is not dict and not isinstance(res, Mapping):  # an ObservationBatch
            self.observations.append(_unseen(res, self.seen, self.owner))
            return
        rtype, rid = res.get("resourceType"), res.get("id")
        if isinstance(rid, str) and isinstance(rtype, str):
            if (rtype, rid) in self.seen:
                return  # the same resource prefetched under two keys
            self.seen.add((rtype, rid))
        if not self.owner.owns(res):
            return  # another patient's: identity.py
        if rtype == "Patient":
            if self.patient is None or rid == self.patient_id:
                self.patient = res
        elif rtype == "MedicationRequest":  # _safe and keep, inline: a thousand a call
            if not (isinstance(rid, str) and rid in self.draft_ids):  # not a search's echo
                try:
                    self.orders.append(
                        build_order(
                            res, self.medications, self.terminology, False, False, self.memo
                        )
                    )
                except UNREADABLE as exc:
                    self.unreadable += _skipped(exc)
        elif rtype == "Condition":
            try:
                self.conditions.append(build_condition(res, self.terminology, self.memo))
            except UNREADABLE as exc:
                self.unreadable += _skipped(exc)
        elif rtype == "Observation":
            self.observations.append(res)
        elif rtype in ("CarePlan", "ServiceRequest"):
            self.keep(_safe(build_record, res), self.records)


def _sites_from_reason_conditions(
    orders: list[MedicationOrder], conditions: list[ConditionFact], terminology: Terminology
) -> None:
    """A draft that names no site itself is for the sites of the chart Condition its
    reasonReference names ("apply to affected area" for "Eczema of eyelid", bodySite eyelid)."""
    for order in orders:
        if not order.is_draft or order.sites or not order.reason_references:
            continue
        ids = {ref.rsplit("/", 1)[-1] for ref in order.reason_references}
        sites: frozenset[str] = frozenset()
        for c in conditions:
            if c.id in ids:
                sites |= c.body_sites | terminology.body_sites((), c.text)
        if sites:
            order.__dict__["placement"] = reason_sites(sites, order.instruction_text)


# What reading a resource of an unexpected shape raises: that resource is skipped and counted.
UNREADABLE = (AttributeError, TypeError, ValueError, KeyError, IndexError)


def _safe(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except UNREADABLE as exc:
        _skipped(exc)
        return None


def _skipped(exc: Exception) -> int:
    log.info("skipped an unreadable resource: %s", type(exc).__name__)
    return 1


def _unseen(
    bundle: ObservationBatch, seen: set[tuple[str, str]], owner: Owner
) -> tuple[ObservationBatch, Any]:
    """The batch and which of its entries are neither duplicates nor another patient's
    (None: all)."""
    keep: list[int] | None = None
    for i, (rid, subject) in enumerate(zip(bundle.ids, bundle.subjects, strict=True)):
        if subject is not None and not owner.owns_named("Observation", rid, subject):
            keep = keep if keep is not None else list(range(i))
            continue
        if isinstance(rid, str):
            if ("Observation", rid) in seen:
                keep = keep if keep is not None else list(range(i))
                continue
            seen.add(("Observation", rid))
        if keep is not None:
            keep.append(i)
    return bundle, keep


def _expand(observations: list[Any]) -> Iterator[Mapping[str, Any]]:
    for item in observations:
        if type(item) is tuple:
            bundle, keep = item
            found = bundle.resources()
            yield from found if keep is None else (found[i] for i in keep)
        else:
            yield item


def _observation(res: Mapping[str, Any]) -> ObservationFact | None:
    found: ObservationFact | None = _safe(build_observation, res)
    return found


def _draft_requests(context: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    bundle = context.get("draftOrders")
    if not isinstance(bundle, Mapping):
        return
    for entry in fx.dicts(bundle.get("entry")):
        res = entry.get("resource")
        if isinstance(res, dict) and res.get("resourceType") == "MedicationRequest":
            yield res


def _selections(context: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(s for s in fx.as_list(context.get("selections")) if isinstance(s, str))
