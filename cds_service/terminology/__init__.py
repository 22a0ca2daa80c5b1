"""Terminology layer: value sets, drug classification (incl. TCS potency) and body sites."""

from .model import OCCLUDED_SITES, SENSITIVE_SITES, DrugInfo, TerminologyError
from .sites import SITE_CATEGORIES
from .terminology import Terminology
from .valuesets import ValueSet

__all__ = [
    "OCCLUDED_SITES",
    "SENSITIVE_SITES",
    "SITE_CATEGORIES",
    "DrugInfo",
    "Terminology",
    "TerminologyError",
    "ValueSet",
]
