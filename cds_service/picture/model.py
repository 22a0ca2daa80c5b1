"""The patient picture: one normalized, frozen snapshot of what a hook call knows.

The facts are frozen msgspec Structs rather than frozen dataclasses: a chart builds thousands
of them per call, and a Struct is made ten times faster (a frozen dataclass sets each field
through ``object.__setattr__``). They compare by every field and are not hashable when they
hold a dict (``MedicationOrder.raw``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from cds_service.vocabulary import DRUG_CLASSES, UnknownName

from . import dosage, order_sites, record_text
from .access import Coding
from .conditions import EXCLUDED_VERIFICATION, ConditionQueries, reason_concepts
from .dosage import Detail, OrderDetails
from .frequency import per_day_written
from .order_queries import OrderQueries
from .order_sites import OrderSites

if TYPE_CHECKING:
    from cds_service.terminology import DrugInfo, Terminology

T = TypeVar("T")
ACTIVE_CLINICAL = frozenset({"active", "recurrence", "relapse"})
ACTIVE_ORDER = frozenset({"active", "draft", "on-hold"})


class ConditionFact(msgspec.Struct, frozen=True):
    """A Condition as the rules need it."""

    id: str | None
    codings: tuple[Coding, ...]
    text: str | None
    clinical_status: str | None
    verification_status: str | None
    onset: date | None
    abatement: date | None
    recorded: date | None
    body_sites: frozenset[str]

    @property
    def active(self) -> bool:
        """Active (or relapsed) and not refuted; a missing status counts only without abatement."""
        if self.verification_status in EXCLUDED_VERIFICATION:
            return False
        if self.clinical_status is None:
            return self.abatement is None
        return self.clinical_status in ACTIVE_CLINICAL

    @property
    def started(self) -> date | None:
        """Onset, else recorded date."""
        return self.onset or self.recorded


class MedicationOrder(msgspec.Struct, frozen=True, dict=True):
    """A MedicationRequest (draft or historical), classified.

    The fields are what many rules read of every order (drug class, status, schedule, dates);
    the attributes below them (sites, instructions, course, quantity, reasons) are built from
    `raw` the first time one is read (`dosage.py`): most past orders are never read for them.
    """

    id: str | None
    is_draft: bool
    in_scope: bool  # a draft this call is about (selections for order-select, all for sign)
    status: str | None
    intent: str | None
    drug: DrugInfo
    name: str | None  # medication display text as ordered
    codings: tuple[Coding, ...]
    has_medication: bool
    frequency: float | None  # administrations per period
    period_days: float | None
    days_of_week: tuple[str, ...]
    when: tuple[str, ...]
    authored_on: date | None
    start: date | None
    end: date | None
    terminology: Terminology  # what the details are classified with
    # The resource as received: the details are read from it, `update` suggestions copy it.
    # A draft's is whole (context); a prefetched order's keeps only fhir/elements.py's elements.
    raw: Mapping[str, Any] = msgspec.field(default_factory=dict)

    sites = Detail[frozenset[str]]("placement")
    site_evidence = Detail[str | None]("placement")  # "the coded body site" / "the instructions"
    site_codings = Detail[tuple[Coding, ...]]()
    instruction_text = Detail[str | None]()
    as_needed = Detail[bool]()
    quantity_value = Detail[float | None]()
    quantity_unit = Detail[str | None]()
    refills = Detail[int | None]()
    reason_codings = Detail[tuple[Coding, ...]]()
    reason_references = Detail[tuple[str, ...]]()

    @cached_property
    def details(self) -> OrderDetails:
        """Instructions, coded sites, quantity and reasons, built on first read."""
        return dosage.details(self.raw, self.terminology, self.drug)

    @cached_property
    def duration_days(self) -> float | None:
        """The course length in days, when the order says (`dosage.course_days`)."""
        return dosage.course(self.raw, lambda: self.instruction_text)

    @cached_property
    def placement(self) -> OrderSites:
        """The body sites and where they were read, built on first read."""
        return order_sites.sites(self.details, self.terminology, self.drug)

    @property
    def reference(self) -> str | None:
        """'MedicationRequest/<id>' for suggestion actions."""
        return f"MedicationRequest/{self.id}" if self.id else None

    @property
    def per_day(self) -> float | None:
        """Administrations per day, when the timing says; without a timing.repeat frequency,
        what a timing.code ('BID') or the sig ('apply thinly twice a day') says."""
        if self.frequency is None:
            return self.written_per_day
        if not self.period_days:
            return None
        return self.frequency / self.period_days

    @cached_property
    def written_per_day(self) -> float | None:
        """`frequency.per_day_written`, read on first use."""
        return per_day_written(self.raw, self.instruction_text)

    @property
    def is_active_or_draft(self) -> bool:
        """Current orders: draft or active (status missing counts as current)."""
        return self.status is None or self.status in ACTIVE_ORDER

    def is_a(self, drug_class: str) -> bool:
        """True when the drug belongs to the named class; UnknownName for a class no drug has."""
        if drug_class in self.drug.drug_classes:
            return True
        if drug_class not in DRUG_CLASSES:
            raise UnknownName(f"unknown drug class: {drug_class}")
        return False

    @property
    def reasons(self) -> tuple[tuple[tuple[Coding, ...], str | None], ...]:
        """Each reasonCode as (codings, text): the raw resource keeps the text the fields drop."""
        return reason_concepts(self.raw, self.reason_codings)


class ObservationFact(msgspec.Struct, frozen=True):
    """An Observation reduced to code, time and value."""

    codings: tuple[Coding, ...]
    effective: date | None
    value: float | None
    unit: str | None
    text_value: str | None
    status: str | None
    code_text: str | None = None  # Observation.code.text (or first display), for text-only sets
    absent: bool = False  # a dataAbsentReason and no value: not done, or nothing to report


class RecordFact(msgspec.Struct, frozen=True):
    """A CarePlan or ServiceRequest: codes, status and date."""

    resource_type: str
    codings: tuple[Coding, ...]
    status: str | None
    authored: date | None

    def in_set(self, terminology: Terminology, value_set: str) -> bool:
        """A code in the value set, or a display or text that names it (`record_text`)."""
        codes = [(s, c) for s, c, _d in self.codings]
        if terminology.in_value_set(value_set, codes):
            return True
        return record_text.names(terminology, value_set, (d for _s, _c, d in self.codings if d))


@dataclass(frozen=True)
class PatientPicture(ConditionQueries, OrderQueries):
    """Everything a rule may look at. Built once per hook call; rules never do I/O."""

    hook: str
    now: datetime
    terminology: Terminology
    patient_id: str | None
    birth_date: date | None
    gender: str | None
    conditions: tuple[ConditionFact, ...] = ()
    orders: tuple[MedicationOrder, ...] = ()
    observations: Sequence[ObservationFact] = ()  # a LazyFacts from the builder
    records: tuple[RecordFact, ...] = ()
    unavailable: frozenset[str] = field(default_factory=frozenset)
    unreadable: int = 0  # resources skipped because they could not be read (not lazy ones)
    # Answers every rule may ask again (per value set), computed once per call.
    _memo: dict[str, Any] = field(
        default_factory=dict, init=False, compare=False, repr=False, hash=False
    )

    @property
    def today(self) -> date:
        """The call's date."""
        return self.now.date()

    @property
    def age_years(self) -> int | None:
        """Completed years of age at `now`, or None without a birth date."""
        if self.birth_date is None or self.birth_date > self.today:
            return None
        b, t = self.birth_date, self.today
        return t.year - b.year - ((t.month, t.day) < (b.month, b.day))

    @property
    def age_months(self) -> int | None:
        """Completed months of age at `now`."""
        if self.birth_date is None or self.birth_date > self.today:
            return None
        b, t = self.birth_date, self.today
        return (t.year - b.year) * 12 + t.month - b.month - (t.day < b.day)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, once per call: for answers several rules ask of the same picture."""
        if key not in self._memo:
            self._memo[key] = compute()
        found: T = self._memo[key]
        return found
