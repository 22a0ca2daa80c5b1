"""The patient picture: request + data -> one normalized snapshot the rules read."""

from .builder import build_picture
from .model import ConditionFact, MedicationOrder, ObservationFact, PatientPicture, RecordFact
from .orders import fills, grams, total_grams

__all__ = [
    "ConditionFact",
    "MedicationOrder",
    "ObservationFact",
    "PatientPicture",
    "RecordFact",
    "build_picture",
    "fills",
    "grams",
    "total_grams",
]
