"""Load FHIR ValueSet JSON files into frozen, cheap-to-query value sets."""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import ICD10CM, TerminologyError, normalise_code, normalise_system

TEXT_PATTERN_URL = "https://cds.eczema.example.org/fhir/StructureDefinition/text-pattern"
URL_PREFIX = "https://cds.eczema.example.org/fhir/ValueSet/"
MAX_TEXT = 2000  # only the start of a free-text field is scanned; bounds the cost per call


@dataclass(frozen=True)
class ValueSet:
    """One value set: codes as (system, code) pairs as written, plus lower-case text patterns."""

    url: str
    version: str
    name: str
    codes: frozenset[tuple[str, str]]
    text_patterns: tuple[str, ...]
    displays: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)
    _normalised: frozenset[tuple[str, str]] = field(default=frozenset(), compare=False, repr=False)
    _icd_prefixes: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def contains(self, system: str | None, code: str | None) -> bool:
        """True when the coding is in the expansion or under an ICD-10-CM is-a category."""
        system = normalise_system(system)
        if system is None or not code:
            return False
        norm = normalise_code(system, code)
        if (system, norm) in self._normalised:
            return True
        if system == ICD10CM and self._icd_prefixes:
            return any(norm[:n] in self._icd_prefixes for n in range(3, len(norm) + 1))
        return False

    def any_code(self, codings: Iterable[tuple[str | None, str | None]]) -> bool:
        """True when any (system, code) pair is in the set."""
        return any(self.contains(system, code) for system, code in codings)

    def matches_text(self, text: str | None) -> bool:
        """True when a text pattern starts a word in the (lower-cased, capped) text."""
        if not text or self._pattern is None:
            return False
        return self._pattern.search(text[:MAX_TEXT].lower()) is not None


def _fail(path: pathlib.Path, problem: str) -> TerminologyError:
    return TerminologyError(f"{path.name}: {problem}")


def compile_patterns(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of escaped stems, each anchored at a word start (no nested quantifiers)."""
    stems = sorted({p.lower() for p in patterns}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(s) for s in stems) + ")")


def load_value_set(path: pathlib.Path) -> ValueSet:
    """Parse and check one ValueSet file; raise TerminologyError naming the file on any problem."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"cannot read JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("resourceType") != "ValueSet":
        raise _fail(path, "resourceType is not ValueSet")
    name = path.stem
    for key in ("url", "version", "name", "status"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise _fail(path, f"missing or empty '{key}'")
    if doc["url"] != URL_PREFIX + name:
        raise _fail(path, f"url {doc['url']!r} does not end with the file name {name!r}")
    expansion = doc.get("expansion")
    if not isinstance(expansion, dict) or not isinstance(expansion.get("timestamp"), str):
        raise _fail(path, "missing expansion or expansion.timestamp")
    codes: set[tuple[str, str]] = set()
    displays: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(expansion.get("contains", [])):
        system, code = (
            (entry.get("system"), entry.get("code")) if isinstance(entry, dict) else (0, 0)
        )
        if not isinstance(system, str) or not isinstance(code, str) or not code.strip():
            raise _fail(path, f"expansion.contains[{i}] needs string system and code")
        codes.add((system, code))
        if isinstance(entry.get("display"), str):
            displays[(system, code)] = entry["display"]
    prefixes: set[str] = set()
    for include in (doc.get("compose") or {}).get("include", []):
        for flt in include.get("filter", []) if isinstance(include, dict) else []:
            if include.get("system") != ICD10CM or flt.get("op") != "is-a":
                raise _fail(path, "only ICD-10-CM is-a filters are supported in compose")
            prefixes.add(normalise_code(ICD10CM, str(flt.get("value", ""))))
    patterns = []
    for ext in doc.get("extension", []):
        if isinstance(ext, dict) and ext.get("url") == TEXT_PATTERN_URL:
            value = ext.get("valueString")
            if not isinstance(value, str) or not value.strip() or value != value.lower():
                raise _fail(path, f"text-pattern {value!r} must be a non-empty lower-case string")
            patterns.append(value)
    return ValueSet(
        url=doc["url"],
        version=doc["version"],
        name=name,
        codes=frozenset(codes),
        text_patterns=tuple(patterns),
        displays=displays,
        _normalised=frozenset((s, normalise_code(s, c)) for s, c in codes),
        _icd_prefixes=frozenset(prefixes),
        _pattern=compile_patterns(patterns),
    )


def load_value_sets(directory: pathlib.Path) -> dict[str, ValueSet]:
    """Load every *.json in a directory, keyed by file stem (the value-set name)."""
    if not directory.is_dir():
        raise TerminologyError(f"{directory}: value-set directory not found")
    return {path.stem: load_value_set(path) for path in sorted(directory.glob("*.json"))}
