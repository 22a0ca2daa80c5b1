"""Code shape: no module of cds_service/ over 250 lines, no function over 60.

Conventions: a module's length is its number of lines (blank lines, comments and docstrings
included: what a reader scrolls through). A function's length is `end_lineno - lineno + 1` of
its `def` node: from the `def` line to its last line, docstring and nested functions included,
decorators excluded (they are registration, e.g. `@rule(...)`, not logic). Methods and nested
functions count as functions of their own too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cds_service"
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 60


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
    assert not over, (
        f"over {MAX_MODULE_LINES} lines a module / {MAX_FUNCTION_LINES} a function: {over}"
    )


def test_the_measure_sees_a_long_function_and_a_long_module(tmp_path: Path) -> None:
    """A 61-line function and a 251-line module are over; 60 and 250 are not."""
    body = "\n".join(f"    x{i} = {i}" for i in range(58))
    (tmp_path / "a.py").write_text(f"@decorated\ndef fits():\n{body}\n    return 0\n")
    (tmp_path / "b.py").write_text(f"def over():\n{body}\n    x = 1\n    return 0\n")
    (tmp_path / "c.py").write_text("x = 1\n" * 250)
    (tmp_path / "d.py").write_text("x = 1\n" * 251)
    assert measure(tmp_path) == {("b.py", "over"): 61, ("d.py", ""): 251}
    assert len(list(PACKAGE.rglob("*.py"))) > 100  # the real package is where it looks
