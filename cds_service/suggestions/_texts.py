"""The words suggestion builders write (`cards/_suggestions.toml`), declared and checked.

A builder declares the texts it writes and each text's own placeholders
(`@builder("order-emollient", texts={"action": "grams", "dosage": "grams"})`); the helpers
several builders share declare theirs under `common` (`declare("common", {"delete": ""})`).
Start-up (`load_texts`) refuses a file where a declared text is missing, a text nobody
declares is present, or a text names a placeholder its builder does not declare: the error
names the file and `<key>/<text>`. A builder fills a text with `say(name, **values)` (its
own key's table) or `say_shared(name, **values)`; the table in use is the one the running
builder was bound to (`bind`), else the service's own `cards/_suggestions.toml`.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cds_service.cardcheck import CardFileError, placeholders

TEXTS_FILE = "_suggestions.toml"
SHARED = "common"  # the table of texts the shared helpers write (delete, swap, update)

_DECLARED: dict[str, dict[str, frozenset[str]]] = {}


@dataclass(frozen=True)
class SuggestionTexts:
    """Suggestion key (or `common`) -> text name -> template, as read from `path`."""

    tables: Mapping[str, Mapping[str, str]]
    path: Path


_CURRENT: ContextVar[tuple[SuggestionTexts, str] | None] = ContextVar("suggestion_texts")


def declare(key: str, texts: Mapping[str, str]) -> None:
    """Record the texts `key` writes: name -> its placeholders ("drug place rest")."""
    table = _DECLARED.setdefault(key, {})
    for name, names in texts.items():
        if table.setdefault(name, frozenset(names.split())) != frozenset(names.split()):
            raise ValueError(f"suggestion text {key}/{name} declared twice, differently")


def declared() -> Mapping[str, Mapping[str, frozenset[str]]]:
    return dict(_DECLARED)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CardFileError(f"{path}: cannot be read as TOML: {exc}") from exc
    return data


def check_texts(path: Path, data: Mapping[str, Any]) -> None:
    """Every declared text present, as non-empty words naming only its declared placeholders;
    nothing undeclared. Errors name the file and `<key>/<text>`."""
    for key, table in data.items():
        if key not in _DECLARED:
            raise CardFileError(f"{path}: {key}: no builder declares texts for this key")
        if not isinstance(table, dict):
            raise CardFileError(f"{path}: {key}: must be a table of texts")
    for key, texts in sorted(_DECLARED.items()):
        table = data.get(key, {})
        for name in sorted(set(table) - set(texts)):
            raise CardFileError(f"{path}: {key}/{name}: a text the builder does not declare")
        for name, allowed in sorted(texts.items()):
            text = table.get(name)
            if not isinstance(text, str) or not text.strip():
                raise CardFileError(f"{path}: {key}/{name}: missing (the builder writes it)")
            try:
                names = list(placeholders(text))
            except ValueError as exc:
                raise CardFileError(f"{path}: {key}/{name}: {exc}") from exc
            for unknown in (n for n in names if n not in allowed):
                raise CardFileError(
                    f"{path}: {key}/{name}: placeholder {{{unknown}}} is not one the builder "
                    f"declares ({', '.join(sorted(allowed)) or 'none'})"
                )


def load_texts(directory: Path) -> SuggestionTexts:
    """Read and check `<directory>/_suggestions.toml` against the declared texts."""
    path = directory / TEXTS_FILE
    data = _read(path)
    check_texts(path, data)
    return SuggestionTexts(data, path)


@functools.cache
def _default() -> SuggestionTexts:
    from cds_service.runtime import default_cards_dir  # the runtime imports this package

    return load_texts(default_cards_dir())


def bind(key: str, fn: Callable[..., Any], texts: SuggestionTexts | None) -> Callable[..., Any]:
    """`fn` writing `key`'s texts from `texts` (None: the service's own file)."""

    @functools.wraps(fn)
    def bound(*args: Any, **kwargs: Any) -> Any:
        # set and reset by hand: a generator-based context manager costs ~1.5 us a builder
        token = _CURRENT.set((texts or _default(), key))
        try:
            return fn(*args, **kwargs)
        finally:
            _CURRENT.reset(token)

    return bound


def _fill(key: str | None, name: str, values: Mapping[str, Any]) -> str:
    """Text `name` of `key` (None: the running builder's), filled from exactly the values its
    declaration names (a builder passing others is a bug: TypeError, the suggestion left out)."""
    current = _CURRENT.get(None)
    if current is None:
        raise LookupError("suggestion text asked for outside a bound builder")
    texts, own = current
    key = own if key is None else key
    if set(values) != _DECLARED[key][name]:
        raise TypeError(f"{key}/{name}: values {sorted(values)} are not the declared ones")
    return texts.tables[key][name].format(**values)


def say(name: str, **values: Any) -> str:
    """The running builder's text `name`, its placeholders filled from `values`."""
    return _fill(None, name, values)


def say_shared(name: str, **values: Any) -> str:
    """A shared helper's text `name` (`[common]`), filled from `values`."""
    return _fill(SHARED, name, values)
