"""Rule fixtures from compact cases: `fixtures/<rule-id>/cases.toml` -> `<name>.json` beside it.

One `[[case]]` per fixture, in the chart vocabulary of `case.py` (age, sex, style, emollient,
careplan, weight, jak_labs, problems, history, drafts; see its docstring) plus:

    name       the fixture's file stem: "...-in" (the rule fires, exactly once) or "...-out"
    hook       order-select | order-sign | patient-view
    reason     why the case sits on its side of the threshold (for the reviewer)
    indicator  "-in" only, optional: the indicator the card must carry
    style      optional, default "epic": how the EHR codes the chart (see builder.py)

The JSON stays in `fixtures/` for clients and reviewers (`curl -d @...`); it is written by
`python -m cds_service fixtures` (`make fixtures`) and `tests/test_fixture_cases.py` fails
when it is out of step with its case file. A fixture with no row in a case file is written
by hand and left alone.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.realistic.case import HOOKS, Case

CASES_FILE = "cases.toml"
DEFAULT_STYLE = "epic"
CHART_KEYS = frozenset(
    "age sex style emollient careplan weight weight_unit jak_labs problems history drafts".split()
)
CASE_KEYS = CHART_KEYS | {"name", "hook", "reason", "indicator"}
INDICATORS = ("info", "warning", "critical")


@dataclass(frozen=True)
class FixtureCase:
    """One fixture's compact description."""

    rule_id: str
    name: str
    indicator: str | None
    case: Case

    @property
    def fires(self) -> bool:
        return self.name.endswith("-in")

    def path(self, fixtures_dir: Path) -> Path:
        return fixtures_dir / self.rule_id / f"{self.name}.json"

    def render(self) -> str:
        """The fixture's JSON text, as committed."""
        return json.dumps(self.case.request(), indent=2, ensure_ascii=False) + "\n"


def _fixture_case(rule_id: str, raw: dict[str, Any], where: str) -> FixtureCase:
    unknown = sorted(set(raw) - CASE_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}; known: {sorted(CASE_KEYS)}")
    name, hook = raw.get("name"), raw.get("hook")
    if not isinstance(name, str) or not name.endswith(("-in", "-out")):
        raise ValueError(f"{where}: name must end in -in or -out, got {name!r}")
    if hook not in HOOKS:
        raise ValueError(f"{where} ({name}): hook must be one of {HOOKS}, got {hook!r}")
    if not raw.get("reason"):
        raise ValueError(f"{where} ({name}): give the case's clinical reason")
    indicator = raw.get("indicator")
    if indicator is not None and (indicator not in INDICATORS or name.endswith("-out")):
        raise ValueError(f"{where} ({name}): indicator is one of {INDICATORS}, on -in cases")
    case = Case(
        id=f"{rule_id}/{name}",  # seeds the ids: stable, and unique across the fixtures
        hook=hook,
        style=raw.get("style", DEFAULT_STYLE),
        reason=raw["reason"],
        fire=(),
        quiet=(),
        source=where,
        spec={k: v for k, v in raw.items() if k in CHART_KEYS},
    )
    return FixtureCase(rule_id=rule_id, name=name, indicator=indicator, case=case)


def load(fixtures_dir: Path) -> list[FixtureCase]:
    """Every compact case under `fixtures_dir`, by rule then file order; names are unique."""
    found: list[FixtureCase] = []
    for path in sorted(fixtures_dir.glob(f"*/{CASES_FILE}")):
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        rows = table.get("case", [])
        where = str(path.relative_to(fixtures_dir))
        found += [
            _fixture_case(path.parent.name, raw, f"{where}#{i + 1}") for i, raw in enumerate(rows)
        ]
    names = [(c.rule_id, c.name) for c in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"fixture names used twice: {duplicates}")
    return found


def write(fixtures_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Write every generated fixture (into `out_dir` instead of `fixtures_dir` when given)."""
    written = []
    for fixture in load(fixtures_dir):
        path = fixture.path(out_dir or fixtures_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fixture.render(), encoding="utf-8")
        written.append(path)
    return written


def stale(fixtures_dir: Path) -> list[str]:
    """The generated fixtures whose committed JSON differs from their case (or is missing)."""
    out = []
    for fixture in load(fixtures_dir):
        path = fixture.path(fixtures_dir)
        if not path.is_file() or path.read_text(encoding="utf-8") != fixture.render():
            out.append(f"{fixture.rule_id}/{fixture.name}.json")
    return out
