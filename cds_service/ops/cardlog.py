"""Remember which rule issued each card uuid, so feedback can be reported per rule.

The rows are written off the response path: `record_issued` queues them and a background
thread per worker commits whatever is queued every `INTERVAL` seconds in one INSERT. A hook
call thus never waits for a commit (nor for another worker's SQLite write lock), and under load
hundreds of answers share one commit. What is queued is written at a graceful exit, when the
store is disposed, before a feedback POST is resolved in the same worker, and by
`flush_issued`. A worker killed outright loses at most `INTERVAL` seconds of rows: feedback
on those cards is still stored (and the report still joins it to the rule once the row
exists); only its rule label is "unknown".
Patient data is never queued: the rows are uuid, rule id, indicator, service, version, time.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from cds_service.runtime import Runtime
from cds_service.storage import FeedbackStore

log = logging.getLogger("cds_service.cardlog")

INTERVAL = 0.05  # seconds between commits while cards are queued
MAX_QUEUED = 100_000  # rows; beyond it new rows are counted as failures, never block a call


class CardLogWriter:
    """One queue and one writer thread per store and process (a fork starts a new thread)."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self.metrics: Any = None  # the app's Metrics, set by the first record_issued
        self._queued: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()  # guards _queued
        self._writing = threading.Lock()  # one INSERT at a time
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        """Queue rows (see `FeedbackStore.card_rows`); returns at once."""
        with self._lock:
            if len(self._queued) + len(rows) > MAX_QUEUED:
                full = True
            else:
                full = False
                self._queued.extend(rows)
        if full:
            self._failed(len(rows), "queue full")
            return
        if self._pid != os.getpid() or self._thread is None:
            self._start()
        self._wake.set()

    def flush(self) -> int:
        """Write everything queued now; the number of rows written."""
        with self._writing:
            with self._lock:
                rows, self._queued = self._queued, []
            if not rows:
                return 0
            try:
                self.store.insert_card_rows(rows)
            except SQLAlchemyError as exc:
                self._failed(len(rows), type(exc).__name__)
                return 0
            return len(rows)

    def _failed(self, count: int, error: str) -> None:
        if self.metrics is not None:
            self.metrics.card_log_failures.inc(count)
        log.warning("issued cards not recorded", extra={"count": count, "error": error})

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None:
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="card-log", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            threading.Event().wait(INTERVAL)  # let the next answers join this commit
            self.flush()


_writers: weakref.WeakKeyDictionary[FeedbackStore, CardLogWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def writer_for(store: FeedbackStore) -> CardLogWriter:
    """The store's writer in this process."""
    with _writers_lock:
        found = _writers.get(store)
        if found is None:
            found = _writers[store] = CardLogWriter(store)
            store.before_dispose.append(found.flush)  # nothing queued outlives the store
        return found


def record_issued(rt: Runtime, service_id: str, cards: list[Mapping[str, Any]]) -> None:
    """Queue one row per card (none without cards); a failure never costs the cards."""
    if cards:
        writer = writer_for(rt.store)
        if writer.metrics is None:
            writer.metrics = current_app.extensions.get("cds_metrics")
        writer.add(rt.store.card_rows(service_id, cards, rt.version, rt.clock()))


def flush_issued(store: FeedbackStore) -> int:
    """Write the rows this process has queued for `store` (feedback, tests, shutdown)."""
    with _writers_lock:
        found = _writers.get(store)
    return found.flush() if found is not None else 0


@atexit.register
def _flush_all() -> None:
    with _writers_lock:
        writers = list(_writers.values())
    for writer in writers:
        writer.flush()
