"""Code shape: no module of cds_service/ over 250 lines, no function over 60.

Conventions: a module's length is its number of lines (blank lines, comments and docstrings
included: what a reader scrolls through). A function's length is `end_lineno - lineno + 1` of
its `def` node: from the `def` line to its last line, docstring and nested functions included,
decorators excluded (they are registration, e.g. `@rule(...)`, not logic). Methods and nested
functions count as functions of their own too.

ALLOWED lists today's known offenders in code other sessions own (issue 15 splits the work),
each with its current size and the date it was recorded; it may only shrink. An entry that is
no longer needed fails the test, so the list cannot go stale.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cds_service"
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 60

# (path relative to cds_service/, function name or "" for the module) -> lines; 2026-11-30.
ALLOWED: dict[tuple[str, str], int] = {
    # fhir/prefetch.py and picture/orders.py, builder.py: the performance work (issue 15).
    ("fhir/prefetch.py", ""): 264,
    ("fhir/prefetch.py", "resolve_prefetch"): 72,
    ("picture/builder.py", "build_picture"): 90,
    ("picture/orders.py", ""): 327,
    ("picture/orders.py", "build_order"): 143,
}


def measure(package: Path = PACKAGE) -> dict[tuple[str, str], int]:
    """Every module and function of the package over its limit, with its length."""
    over: dict[tuple[str, str], int] = {}
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            over[(name, "")] = lines
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    over[(name, node.name)] = max(length, over.get((name, node.name), 0))
    return over


def test_no_module_or_function_is_over_its_limit() -> None:
    over = measure()
    new = {k: v for k, v in over.items() if k not in ALLOWED or v > ALLOWED[k]}
    assert not new, (
        f"over {MAX_MODULE_LINES} lines a module / {MAX_FUNCTION_LINES} a function: {new}"
    )


def test_every_allowed_offender_is_still_one() -> None:
    over = measure()
    fixed = sorted(k for k in ALLOWED if k not in over)
    assert not fixed, f"no longer over the limit, remove from ALLOWED: {fixed}"


def test_the_measure_sees_a_long_function_and_a_long_module(tmp_path: Path) -> None:
    """A 61-line function and a 251-line module are over; 60 and 250 are not."""
    body = "\n".join(f"    x{i} = {i}" for i in range(58))
    (tmp_path / "a.py").write_text(f"@decorated\ndef fits():\n{body}\n    return 0\n")
    (tmp_path / "b.py").write_text(f"def over():\n{body}\n    x = 1\n    return 0\n")
    (tmp_path / "c.py").write_text("x = 1\n" * 250)
    (tmp_path / "d.py").write_text("x = 1\n" * 251)
    assert measure(tmp_path) == {("b.py", "over"): 61, ("d.py", ""): 251}
    assert measure()  # and it reads the real package (today's ALLOWED entries at least)
