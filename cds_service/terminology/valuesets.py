"""Load FHIR ValueSet JSON files into frozen, cheap-to-query value sets."""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import mentions
from .mentions import Mention
from .model import ICD10, ICD10CM, TerminologyError, normalise_code, normalise_system

TEXT_PATTERN_URL = "https://cds.eczema.example.org/fhir/StructureDefinition/text-pattern"
# A longer term that contains a pattern but names another condition ("seborrhoeic eczema").
TEXT_EXCLUDE_URL = "https://cds.eczema.example.org/fhir/StructureDefinition/text-exclude"
# Red flags: a suspected mention ("? eczema herpeticum") counts as well as a confirmed one.
UNCERTAIN_URL = "https://cds.eczema.example.org/fhir/StructureDefinition/text-uncertain-counts"
# Two term lists that name the condition together in one clause, "a|b & c|d" (mentions.py).
TEXT_CO_MENTION_URL = "https://cds.eczema.example.org/fhir/StructureDefinition/text-co-mention"
URL_PREFIX = "https://cds.eczema.example.org/fhir/ValueSet/"
MAX_TEXT = 2000  # only the start of a free-text field is scanned; bounds the cost per call
# Charts repeat the same problem texts call after call: readings are kept per value set,
# bounded in entries, and texts longer than MEMO_TEXT are never kept.
MEMO_ENTRIES = 4096
MEMO_TEXT = 500


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
    text_excludes: tuple[str, ...] = ()
    uncertain_counts: bool = False
    _terms: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _excluded: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _readings: dict[str, Mention] = field(default_factory=dict, compare=False, repr=False)
    _pairs: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = field(
        default=(), compare=False, repr=False
    )

    def contains(self, system: str | None, code: str | None) -> bool:
        """True when the coding is in the expansion or under an ICD-10-CM is-a category (a WHO
        ICD-10 code only under a 3-character is-a category: model.ICD10)."""
        system = normalise_system(system)
        if system is None or not code:
            return False
        norm = normalise_code(system, code)
        if (system, norm) in self._normalised:
            return True
        if system == ICD10CM and self._icd_prefixes:
            return any(norm[:n] in self._icd_prefixes for n in range(3, len(norm) + 1))
        if system == ICD10:  # a WHO code by its 3-character category (model.ICD10)
            return norm[:3] in self._icd_prefixes or (
                len(norm) == 3 and (ICD10CM, norm) in self._normalised
            )
        return False

    def any_code(self, codings: Iterable[tuple[str | None, str | None]]) -> bool:
        """True when any (system, code) pair is in the set."""
        return any(self.contains(system, code) for system, code in codings)

    def matches_text(self, text: str | None) -> bool:
        """True when a text pattern starts a word in the (lower-cased, capped) text."""
        if not text or self._pattern is None:
            return False
        return self._pattern.search(text[:MAX_TEXT].lower()) is not None

    def mention(self, text: str | None) -> Mention:
        """How a condition's text speaks of this set: affirmed, uncertain, negated or absent."""
        if not text or (self._terms is None and not self._pairs):
            return Mention.ABSENT
        found = self._readings.get(text)
        if found is None:
            found = mentions.strongest(
                [mentions.read(text, self._terms, self._excluded)]
                + [mentions.read_pair(text, a, b, self._excluded) for a, b in self._pairs]
            )
            if len(text) <= MEMO_TEXT:
                if len(self._readings) >= MEMO_ENTRIES:
                    self._readings.clear()
                self._readings[text] = found
        return found

    def asserted_by(self, text: str | None) -> bool:
        """The text asserts the condition (an uncertain mention only where the set opts in)."""
        found = self.mention(text)
        return found is Mention.AFFIRMED or (self.uncertain_counts and found is Mention.UNCERTAIN)


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
    codes, displays = _contains(path, expansion)
    prefixes = _icd_prefixes(path, doc)
    patterns: list[str] = []
    excludes: list[str] = []
    uncertain = False
    pairs: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
    for ext in doc.get("extension", []):
        url = ext.get("url") if isinstance(ext, dict) else None
        if url in (TEXT_PATTERN_URL, TEXT_EXCLUDE_URL):
            value = ext.get("valueString")
            if not isinstance(value, str) or not value.strip() or value != value.lower():
                raise _fail(path, f"{url} {value!r} must be a non-empty lower-case string")
            (patterns if url == TEXT_PATTERN_URL else excludes).append(value)
        elif url == TEXT_CO_MENTION_URL:
            value = ext.get("valueString")
            groups = value.split("&") if isinstance(value, str) else []
            terms = [[t for t in g.split("|") if t.strip()] for g in groups]
            first = mentions.compile_terms(terms[0]) if len(terms) == 2 else None
            second = mentions.compile_terms(terms[1]) if len(terms) == 2 else None
            if first is None or second is None or value != value.lower():
                raise _fail(path, f"text-co-mention {value!r} must be lower-case 'a|b & c|d'")
            pairs.append((first, second))
        elif url == UNCERTAIN_URL:
            if not isinstance(ext.get("valueBoolean"), bool):
                raise _fail(path, "text-uncertain-counts needs valueBoolean")
            uncertain = ext["valueBoolean"]
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
        text_excludes=tuple(excludes),
        uncertain_counts=uncertain,
        _terms=mentions.compile_terms(patterns),
        _excluded=mentions.compile_terms(excludes),
        _pairs=tuple(pairs),
    )


def _contains(
    path: pathlib.Path, expansion: dict[str, Any]
) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
    """The expansion's (system, code) pairs and their displays."""
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
    return codes, displays


def _icd_prefixes(path: pathlib.Path, doc: dict[str, Any]) -> set[str]:
    """The ICD-10-CM categories the compose includes with is-a (the only filter supported)."""
    prefixes: set[str] = set()
    for include in (doc.get("compose") or {}).get("include", []):
        for flt in include.get("filter", []) if isinstance(include, dict) else []:
            if include.get("system") != ICD10CM or flt.get("op") != "is-a":
                raise _fail(path, "only ICD-10-CM is-a filters are supported in compose")
            prefixes.add(normalise_code(ICD10CM, str(flt.get("value", ""))))
    return prefixes


def load_value_sets(directory: pathlib.Path) -> dict[str, ValueSet]:
    """Load every *.json in a directory, keyed by file stem (the value-set name)."""
    if not directory.is_dir():
        raise TerminologyError(f"{directory}: value-set directory not found")
    return {path.stem: load_value_set(path) for path in sorted(directory.glob("*.json"))}
