"""The terminology facade: load every data file once, then answer cheap per-request lookups."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from .drugs import DrugClassifier
from .drugtext import ROUTES, Vocabulary
from .model import RXNORM, DrugInfo, TerminologyError
from .potency import PotencyTable
from .sites import coded_sites, text_sites
from .valuesets import ValueSet, load_value_sets

DATA_DIR = pathlib.Path(__file__).parent / "data"
# Charts repeat the same few medications and sites many times: answers are memoised per
# (codings, text). Bounded in entries, and texts longer than MEMO_TEXT are never kept.
MEMO_ENTRIES = 4096
MEMO_TEXT = 500


def _read_json(path: pathlib.Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TerminologyError(f"{path.name}: cannot read JSON ({exc})") from exc


class Terminology:
    """Value sets, drug classification and body sites, loaded once at start-up."""

    def __init__(
        self,
        value_sets: dict[str, ValueSet],
        classifier: DrugClassifier,
        drug_classes: frozenset[str],
    ) -> None:
        self._value_sets = value_sets
        self._classifier = classifier
        self._drug_classes = drug_classes
        self._classify = lru_cache(maxsize=MEMO_ENTRIES)(classifier.classify)
        self._sites = lru_cache(maxsize=MEMO_ENTRIES)(_body_sites)
        self._in_set = lru_cache(maxsize=MEMO_ENTRIES)(self._in_value_set)

    @classmethod
    def load(cls, directory: pathlib.Path | None = None) -> Terminology:
        """Load valuesets/*.json, drugs.json, tcs-potency.json; TerminologyError on a bad file."""
        directory = pathlib.Path(directory) if directory is not None else DATA_DIR
        value_sets = load_value_sets(directory / "valuesets")
        drugs_path, potency_path = directory / "drugs.json", directory / "tcs-potency.json"
        try:
            vocabulary = Vocabulary(_read_json(drugs_path))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise TerminologyError(f"{drugs_path.name}: {exc!r}") from exc
        try:
            potency = PotencyTable(_read_json(potency_path))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise TerminologyError(f"{potency_path.name}: {exc!r}") from exc
        drug_classes = frozenset(
            c for i in vocabulary.ingredients.values() for v in i.classes.values() for c in v
        )
        missing = sorted(drug_classes - value_sets.keys())
        if missing:
            raise TerminologyError(f"{drugs_path.name}: classes without a value set: {missing}")
        for row in potency.rows:
            try:
                vocabulary.split_name(row.ingredient)
            except ValueError as exc:
                raise TerminologyError(f"{potency_path.name}: {exc}") from exc
        products: dict[str, tuple[str, frozenset[str]]] = {}
        for name in sorted(drug_classes):
            for (system, code), display in value_sets[name].displays.items():
                if system == RXNORM:
                    old = products.get(code, (display, frozenset()))
                    products[code] = (old[0], old[1] | {name})
        return cls(value_sets, DrugClassifier(vocabulary, potency, products), drug_classes)

    @property
    def drug_classes(self) -> frozenset[str]:
        """The drug classes drugs.json assigns (each has a value set of the same name)."""
        return self._drug_classes

    @property
    def names(self) -> frozenset[str]:
        """Names of all loaded value sets."""
        return frozenset(self._value_sets)

    def value_set(self, name: str) -> ValueSet:
        """The value set with this name; KeyError naming it if there is none."""
        try:
            return self._value_sets[name]
        except KeyError:
            raise KeyError(f"unknown value set {name!r}") from None

    def in_value_set(
        self, name: str, codings: Iterable[tuple[str | None, str | None]], text: str | None = None
    ) -> bool:
        """True if a coding is in the set or the text matches it.

        Drug sets ask classify_drug (so "prednisone tablet" is not a TCS); their text patterns are
        only a fallback for text in which the classifier recognises no ingredient at all.
        """
        key = tuple(codings)
        if not _memoisable(key, text):
            return self._in_value_set(name, key, text)
        return self._in_set(name, key, text)

    def _in_value_set(
        self, name: str, codings: tuple[tuple[str | None, str | None], ...], text: str | None
    ) -> bool:
        vs = self.value_set(name)
        if vs.any_code(codings):
            return True
        if name in self._drug_classes:
            info = self.classify_drug([(s, c, None) for s, c in codings], text)
            if info.ingredient is not None or info.drug_classes:
                return name in info.drug_classes
        return vs.matches_text(text)

    def classify_drug(
        self, codings: Sequence[tuple[str | None, str | None, str | None]], text: str | None
    ) -> DrugInfo:
        """Drug classes, ingredient, strength, vehicle, route and TCS potency of one medication."""
        key = tuple(codings)
        if not _memoisable(key, text):
            return self._classifier.classify(key, text)
        return self._classify(key, text)

    def body_sites(
        self, codings: Iterable[tuple[str | None, str | None]], text: str | None
    ) -> frozenset[str]:
        """Site categories from SNOMED site codes and negation-aware free text."""
        key = tuple(codings)
        if not _memoisable(key, text):
            return _body_sites(key, text)
        return self._sites(key, text)


def _memoisable(key: tuple[Any, ...], text: str | None) -> bool:
    """Short text and hashable codings (a caller may pass lists): worth a cache entry."""
    if text is not None and len(text) > MEMO_TEXT:
        return False
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _body_sites(
    codings: tuple[tuple[str | None, str | None], ...], text: str | None
) -> frozenset[str]:
    return coded_sites(codings) | text_sites(text)


__all__ = ["Terminology", "DATA_DIR", "ROUTES"]
