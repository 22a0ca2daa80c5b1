"""Replay protection: each (iss, jti) is accepted once, recorded in the shared database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from cds_service.tables import MAX_ISS_LENGTH, MAX_JTI_LENGTH, seen_tokens

__all__ = ["MAX_ISS_LENGTH", "MAX_JTI_LENGTH", "ReplayStore", "ReplayStoreError", "seen_tokens"]

log = logging.getLogger(__name__)


class ReplayStoreError(Exception):
    """The database could not record the token; callers must refuse the request."""


class ReplayStore:
    """Records token ids until they expire; ``claim`` is True only for the first use."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        purge_interval_seconds: float = 60.0,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._purge_interval = purge_interval_seconds
        self._next_purge = 0.0
        self._purge_lock = threading.Lock()

    def claim(self, iss: str, jti: str, exp: float) -> bool:
        """Record (iss, jti) as used until exp; False if it was already recorded (a replay)."""
        if len(iss) > MAX_ISS_LENGTH or len(jti) > MAX_JTI_LENGTH:
            raise ValueError("iss or jti too long to record")
        if not (iss + jti).isprintable() or "\x00" in iss + jti:
            raise ValueError("iss or jti holds characters that cannot be recorded")
        try:
            (iss + jti).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a "\udXXX" escape
            raise ValueError("iss or jti holds characters that cannot be recorded") from None
        self._maybe_purge()
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(seen_tokens).values(iss=iss, jti=jti, expires_at=int(exp) + 1))
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise ReplayStoreError(type(exc).__name__) from exc
        return True

    def purge_expired(self) -> int:
        """Delete records whose token has expired; returns how many went."""
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(seen_tokens).where(seen_tokens.c.expires_at < int(self._clock()))
            )
        return result.rowcount or 0

    def _maybe_purge(self) -> None:
        # Opportunistic, at most once per interval per process; a failed purge only delays cleanup.
        now = self._clock()
        with self._purge_lock:
            if now < self._next_purge:
                return
            self._next_purge = now + self._purge_interval
        try:
            self.purge_expired()
        except SQLAlchemyError as exc:
            log.warning("replay store purge failed: %s", type(exc).__name__)
