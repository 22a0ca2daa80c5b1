"""The case table (`tests/realistic/cases/*.toml`) read into cases that build their charts.

One `[[case]]` per chart:

    id, hook, style ("epic" | "cerner" | "uk" | "synthea"), reason (the clinical judgement),
    age (years, or "1y6m" / "0y8m"), sex, emollient (true / false; absent: the style's usual),
    careplan (skin-care CarePlan on record), weight (with weight_unit, default "kg"),
    jak_labs (days since the screening),
    problems (names from fhir.py, e.g. "AD", or inline tables {dx = "HERPETICUM" or
    text = "Seborrheic infantile dermatitis" (with snomed / icd = [code, display] to code it),
    onset_days = 3, status = "resolved", abated_days = 20, verification = "refuted",
    other_patient = true}), history (orders on record) and drafts (this call's orders),
    each an inline table of `Chart.order` keywords with `drug` for the name, `site` a site
    name from fhir.py and `reason` a problem name; fire (rule ids, "rule-id:indicator"
    to pin the indicator) and quiet (rule ids that must stay silent). `days = 0` or
    `qty = 0` leave the duration or quantity out of the order.

Two expectations from clinical-rules.md §5 apply to every case and are added here rather
than repeated in each row:
- §5.5: `emollient-not-prescribed` answers on order-sign only, so it is quiet on the others;
- §5.3: when `tcs-potent-on-sensitive-site` must fire, `tcs-taper-after-long-use` is quiet.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.realistic import fhir as f
from tests.realistic.builder import Chart

CASE_DIR = Path(__file__).parent / "cases"
HOOKS = ("order-select", "order-sign", "patient-view")
EMOLLIENT = "emollient-not-prescribed"
SITE = "tcs-potent-on-sensitive-site"
TAPER = "tcs-taper-after-long-use"
_AGE = re.compile(r"^(\d+)y(?:(\d+)m)?$")


@dataclass(frozen=True)
class Case:
    id: str
    hook: str
    style: str
    reason: str
    fire: tuple[str, ...]
    quiet: tuple[str, ...]
    source: str
    spec: dict[str, Any] = field(repr=False, compare=False)

    def expected(self) -> dict[str, str | None]:
        """Rule id -> the indicator required (None: any)."""
        out: dict[str, str | None] = {}
        for item in self.fire:
            rule_id, _, indicator = item.partition(":")
            out[rule_id] = indicator or None
        return out

    def chart(self) -> Chart:
        s = self.spec
        years, months = _age(s.get("age", 30))
        chart = Chart(
            self.style,
            self.id,
            years=years,
            months=months,
            sex=s.get("sex", "female"),
            emollient=s.get("emollient"),
        )
        for problem in s.get("problems", ["AD"]):
            item = {"dx": problem} if isinstance(problem, str) else dict(problem)
            codes = {k: tuple(item.pop(k)) for k in ("snomed", "icd") if k in item}
            chart.dx(_dx(item.pop("dx", None), item.pop("text", None), **codes), **item)
        for order in s.get("history", []):
            chart.order(**_order(order), draft=False)
        for order in s.get("drafts", []):
            chart.order(**_order(order))
        if "weight" in s:
            chart.weight(s["weight"], unit=s.get("weight_unit", "kg"))
        if "jak_labs" in s:
            chart.jak_labs(s["jak_labs"])
        if s.get("careplan"):
            chart.skin_care_plan()
        return chart

    def request(self) -> dict[str, Any]:
        return self.chart().request(self.hook)


def _age(value: int | str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, 0
    match = _AGE.match(value)
    assert match, f"age {value!r}: use years or '1y6m'"
    return int(match[1]), int(match[2] or 0)


def _dx(name: str | None, text: str | None, **codes: tuple[str, str]) -> f.Dx:
    if text is not None:  # a free-text problem, coded when snomed / icd pairs are given
        return f.Dx(text, codes.get("snomed"), codes.get("icd"))
    problem = getattr(f, name or "AD")
    assert isinstance(problem, f.Dx), name
    return problem


def _order(spec: dict[str, Any]) -> dict[str, Any]:
    out = dict(spec)
    out["name"] = out.pop("drug")
    if "site" in out:
        out["site"] = getattr(f, out["site"])
    if "reason" in out:
        out["reason"] = _dx(out["reason"], None)
    for key in ("days", "qty"):  # TOML has no null: 0 means "not given"
        if out.get(key) == 0:
            out[key] = None
    if "dose" in out:
        out["dose"] = tuple(out["dose"])
    return out


def _case(raw: dict[str, Any], source: str) -> Case:
    hook = raw["hook"]
    assert hook in HOOKS, f"{raw['id']}: hook {hook}"
    fire = tuple(raw.get("fire", ()))
    quiet = list(raw.get("quiet", ()))
    if hook != "order-sign":
        quiet.append(EMOLLIENT)
    if any(item.partition(":")[0] == SITE for item in fire):
        quiet.append(TAPER)
    overlap = {i.partition(":")[0] for i in fire} & set(quiet)
    assert not overlap, f"{raw['id']}: both fire and quiet: {overlap}"
    return Case(
        id=raw["id"],
        hook=hook,
        style=raw["style"],
        reason=raw["reason"],
        fire=fire,
        quiet=tuple(dict.fromkeys(quiet)),
        source=source,
        spec=raw,
    )


def load_cases(directory: Path = CASE_DIR) -> list[Case]:
    """Every case in the table, in file then row order; ids are unique."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        cases += [_case(raw, path.stem) for raw in table["case"]]
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases
