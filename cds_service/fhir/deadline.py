"""The one deadline a hook call's FHIR I/O runs against."""

from __future__ import annotations

import time
from collections.abc import Callable


class Deadline:
    """A point in time after which no FHIR I/O should start or continue."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = clock() + max(0.0, seconds)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self._end - self._clock())

    @property
    def expired(self) -> bool:
        """True once no time is left."""
        return self.remaining() <= 0.0
