"""`fixtures` and `new-rule`: commands that write into a source checkout.

They edit what a rule author commits (cards/, cds_service/rules/, the value sets, fixtures/,
README.md), and the fixtures come from the chart builder of the checkout's test suite
(`tests/realistic/`, which is not installed): so both need a clone, found as the directory
holding the package, and refuse to run from an installed wheel.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from cds_service.ops import scaffold

CHECKOUT = Path(__file__).resolve().parents[2]
GENERATOR = "tests.realistic.fixturegen"
COMMANDS = ("fixtures", "new-rule")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The two commands' parsers."""
    p = sub.add_parser("fixtures", help="write fixtures/*/*.json from fixtures/*/cases.toml")
    p.add_argument("--check", action="store_true", help="only list fixtures out of step")
    p = sub.add_parser("new-rule", help="scaffold a rule: card, module, value set, fixtures")
    p.add_argument("rule_id", metavar="RULE-ID", help="e.g. tcs-new-check")
    p.add_argument("--hook", required=True, choices=sorted(scaffold.HOOK_CONSTANTS))


def run(args: argparse.Namespace, root: Path = CHECKOUT) -> int:
    """Run `fixtures` or `new-rule` in the checkout at `root`."""
    generator = _generator(root)
    fixtures = root / "fixtures"
    if args.command == "fixtures":
        if args.check:
            stale = generator.stale(fixtures)
            for name in stale:
                print(f"out of step: fixtures/{name}", file=sys.stderr)
            return 1 if stale else 0
        written = generator.write(fixtures)
        print(f"wrote {len(written)} fixtures from their cases", file=sys.stderr)
        return 0
    created = scaffold.write_rule(root, args.rule_id, args.hook, datetime.now(UTC).date())
    created += [p for p in generator.write(fixtures) if p.parent.name == args.rule_id]
    _write_rules_table(root)
    for path in created:
        print(f"wrote {path.relative_to(root)}", file=sys.stderr)
    print("updated README.md (rule table) and cards/catalogue.toml (version)", file=sys.stderr)
    print("next: README 'Add a rule' lists what to fill in (every TODO)", file=sys.stderr)
    return 0


def _generator(root: Path) -> ModuleType:
    if not (root / "tests" / "realistic" / "fixturegen.py").is_file():
        raise ValueError(
            "fixtures and new-rule write into a source checkout (cards/, fixtures/, "
            f"cds_service/rules/): run them in a clone, not from an installed package ({root})"
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(GENERATOR)


def _write_rules_table(root: Path) -> None:
    """Regenerate the README rule table in a fresh interpreter: this one imported the rules
    and the vocabulary's list of value sets before the new rule's files existed."""
    subprocess.run(
        [sys.executable, "-m", "cds_service", "rules-table", "--write", "README.md"],
        cwd=root,
        check=True,
    )
