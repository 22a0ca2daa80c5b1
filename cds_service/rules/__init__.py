"""Rules: pure functions of the patient picture that return a Finding or a Silent reason.

A rule never does I/O and never writes card text: it names the rule id, the values the
card needs, the orders that triggered it and the suggestion keys to offer. The card text
lives in `cards/<rule-id>.toml`. Each rule declares the value names its findings carry
(`values=`) and, for values that are codes the card file words (`codes=`), every code it may
return; start-up checks every placeholder and phrase of its card file against them. Rules
ask the picture in the words of `cds_service/vocabulary.py`; a name it does not know fails
when the module registers (`_names.py`). Rule modules register themselves with `@rule(...)`
and `load_rules()` imports every public module here, so the code of a new rule is one file;
`python -m cds_service new-rule` writes it with its card file, value set and fixtures
(README "Add a rule").
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cds_service.picture import MedicationOrder, PatientPicture

from ._names import check_module

log = logging.getLogger(__name__)

SELECT, SIGN, VIEW = "order-select", "order-sign", "patient-view"

# Prefetch keys (templates in cds_service/services.py) a rule can declare it needs.
PATIENT, CONDITIONS, MEDICATIONS = "patient", "conditions", "medications"
OBSERVATIONS, CAREPLANS, SERVICEREQUESTS = "observations", "careplans", "servicerequests"


@dataclass(frozen=True)
class Finding:
    """A rule fired: what the card needs, and why (for the explain trace)."""

    rule_id: str
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)
    orders: tuple[MedicationOrder, ...] = ()
    suggestions: tuple[str, ...] = ()
    variant: str | None = None


@dataclass(frozen=True)
class Silent:
    """A rule stayed silent, and why (shown by `explain`)."""

    reason: str


Decision = Finding | Silent
Evaluator = Callable[[PatientPicture], Decision]


@dataclass(frozen=True)
class Rule:
    """A registered rule: id, the hooks it runs on, the data it needs, and its function."""

    id: str
    hooks: frozenset[str]
    needs: frozenset[str]
    evaluate: Evaluator
    values: frozenset[str] = frozenset()  # value names its findings may carry
    codes: Mapping[str, frozenset[str]] = field(default_factory=dict)  # phrased value -> codes

    def run(self, picture: PatientPicture) -> Decision:
        """Evaluate; a rule whose data is unavailable stays silent instead of guessing."""
        if picture.unavailable:  # usually nothing is: no set built, nothing sorted
            missing = sorted(self.needs & picture.unavailable)
            if missing:
                return Silent(f"data unavailable: {', '.join(missing)}")
        return self.evaluate(picture)


_REGISTRY: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    hooks: frozenset[str],
    needs: frozenset[str],
    values: str = "",
    codes: Mapping[str, str] | None = None,
) -> Callable[[Evaluator], Evaluator]:
    """Register a rule function under its stable id (from clinical-rules.md).

    `values`: the names of the values its findings carry (card placeholders, builder inputs),
    space-separated. `codes`: values that are codes, never sentences (one code, or a tuple of
    codes), each with every code the rule may return, space-separated; the card file has a
    phrase for each (`[phrases.<value>]`)."""

    def register(fn: Evaluator) -> Evaluator:
        if rule_id in _REGISTRY and _REGISTRY[rule_id].evaluate is not fn:
            raise ValueError(f"rule id registered twice: {rule_id}")
        check_module(sys.modules[fn.__module__])  # an unknown class, value set or site: fail now
        _REGISTRY[rule_id] = Rule(
            id=rule_id,
            hooks=hooks,
            needs=needs | {PATIENT, CONDITIONS},
            evaluate=fn,
            values=frozenset(values.split()) | frozenset(codes or {}),
            codes={k: frozenset(v.split()) for k, v in (codes or {}).items()},
        )
        return fn

    return register


def load_rules() -> Mapping[str, Rule]:
    """Import every rule module in this package and return the registry (id -> Rule)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)


def evaluate_all(rules: list[Rule], picture: PatientPicture) -> list[tuple[Rule, Decision]]:
    """Run each rule once; at most one finding per rule per call by construction.

    A rule that raises stays silent (it cannot decide) and is logged with its id and where it
    failed, never the exception's text (it may quote chart data): one faulty rule must not
    cost the clinician every other card.
    """
    decisions: list[tuple[Rule, Decision]] = []
    for r in rules:
        try:
            decisions.append((r, r.run(picture)))
        except Exception as exc:  # noqa: BLE001  (the safety net is the point)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            log.error("rule failed", extra={"rule": r.id, "error": type(exc).__name__, "at": where})
            decisions.append((r, Silent(f"rule failed ({type(exc).__name__} at {where})")))
    return decisions
