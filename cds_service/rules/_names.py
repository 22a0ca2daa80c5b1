"""Check a rule module's vocabulary names when it registers, so a typo fails at import.

`order.is_a("tsc")` would otherwise be a silent False for every chart. The check reads the
module's source once and looks at what it hands to the vocabulary's questions: a string (or a
module-level tuple / set of strings, also through `*NAME`) given to a drug-class question must
be a drug class, one given to a value-set question a value set, and `"x" in order.sites` a
site (`cds_service/vocabulary.py` lists them all). Names computed at run time are checked when
asked (`MedicationOrder.is_a`, `Terminology.value_set` raise for an unknown name).
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterator
from types import ModuleType

from cds_service.vocabulary import known

# Questions whose string arguments are drug classes, or value sets.
CLASS_QUESTIONS = frozenset(
    {"is_a", "orders_in", "drafts_of", "eczema_drafts", "current", "courses"}
)
VALUE_SET_QUESTIONS = frozenset(
    {
        "has_active",
        "active_in",
        "recorded_in",
        "active_conditions",
        "recorded_conditions",
        "reason_in",
        "in_value_set",
        "results",
        "has_result_within",
        "last_result_date",
    }
)
SITE_ATTRIBUTES = frozenset({"sites", "body_sites"})

_checked: set[str] = set()


def check_module(module: ModuleType) -> None:
    """Raise UnknownName (naming file and line) for an unknown name the module uses; once."""
    if module.__name__ in _checked:
        return
    path = inspect.getsourcefile(module) or module.__name__
    tree = ast.parse(inspect.getsource(module))
    constants = _string_constants(tree)
    for kind, line, names in _uses(tree, constants):
        try:
            known(kind, names)
        except KeyError as exc:
            raise type(exc)(f"{path}:{line}: {exc.args[0]}") from None
    _checked.add(module.__name__)
    for helper in _helpers(tree, module):  # the rule's own _helpers modules, checked alike
        check_module(helper)


def _helpers(tree: ast.Module, module: ModuleType) -> Iterator[ModuleType]:
    package = module.__package__ or ""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            helper = sys.modules.get(f"{package}.{node.module}")
            if helper is not None and node.module.startswith("_"):
                yield helper


def _string_constants(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """Module-level NAME = "a" / ("a", "b") / frozenset({...}): the strings it holds."""
    found: dict[str, tuple[str, ...]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            strings = _strings(node.value)
            if isinstance(target, ast.Name) and strings is not None:
                found[target.id] = strings
    return found


def _strings(node: ast.AST) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        if node.func.id in ("frozenset", "set", "tuple"):
            node = node.args[0]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(items) == len(node.elts) and all(isinstance(i, str) for i in items):
            return tuple(str(i) for i in items)
    return None


def _uses(
    tree: ast.Module, constants: dict[str, tuple[str, ...]]
) -> Iterator[tuple[str, int, tuple[str, ...]]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            kind = (
                "drug class"
                if name in CLASS_QUESTIONS
                else "value set"
                if name in VALUE_SET_QUESTIONS
                else None
            )
            if kind:
                for arg in node.args:
                    yield kind, node.lineno, _arg_names(arg, constants)
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant):
            right = node.comparators[0]
            if isinstance(right, ast.Attribute) and right.attr in SITE_ATTRIBUTES:
                yield "site", node.lineno, (str(node.left.value),)


def _arg_names(arg: ast.expr, constants: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return (arg.value,)
    if isinstance(arg, ast.Starred):
        arg = arg.value
    if isinstance(arg, ast.Name):
        return constants.get(arg.id, ())
    return ()
