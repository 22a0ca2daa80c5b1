"""ReplayStore: a token id is accepted once, across processes sharing the database."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select

from cds_service import migrate
from cds_service.auth.replay import ReplayStore, ReplayStoreError, seen_tokens
from tests.auth.tokens import ISS, NOW, Clock


@pytest.fixture
def store(engine: Engine, clock: Clock) -> ReplayStore:
    migrate.upgrade(engine)
    return ReplayStore(engine, clock=clock)


def rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(seen_tokens)).scalar_one())


def test_first_claim_wins_and_the_second_is_a_replay(store: ReplayStore) -> None:
    assert store.claim(ISS, "jti-1", NOW + 300) is True
    assert store.claim(ISS, "jti-1", NOW + 300) is False


def test_same_jti_from_another_issuer_is_not_a_replay(store: ReplayStore) -> None:
    assert store.claim(ISS, "jti-1", NOW + 300)
    assert store.claim("https://other-ehr.example", "jti-1", NOW + 300)


def test_expired_records_are_purged_opportunistically(
    store: ReplayStore, engine: Engine, clock: Clock
) -> None:
    store.claim(ISS, "old", NOW + 10)
    clock.now += 120  # past the record's expiry and the purge interval
    assert store.claim(ISS, "new", clock.now + 300)
    assert rows(engine) == 1


def test_overlong_jti_is_refused(store: ReplayStore) -> None:
    with pytest.raises(ValueError):
        store.claim(ISS, "x" * 256, NOW + 300)


def test_database_failure_raises_a_store_error(engine: Engine, clock: Clock) -> None:
    with pytest.raises(ReplayStoreError):
        ReplayStore(engine, clock=clock).claim(ISS, "jti-1", NOW + 300)  # no table


def _claim_in_child(url: str, jti: str, start: object) -> bool:
    engine = create_engine(url, connect_args={"timeout": 30})
    start.wait()  # type: ignore[attr-defined]
    try:
        # Real clock here, so the expiry must be real too (or the purge would clear it).
        return ReplayStore(engine).claim(ISS, jti, time.time() + 300)
    finally:
        engine.dispose()


def test_concurrent_claims_from_separate_processes_let_exactly_one_through(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    setup = create_engine(url)
    migrate.upgrade(setup)
    setup.dispose()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Event()
        with ctx.Pool(4) as pool:
            pending = pool.starmap_async(_claim_in_child, [(url, "raced", start)] * 4)
            start.set()
            results = pending.get(timeout=60)
    assert sorted(results) == [False, False, False, True]


@pytest.mark.skipif(
    not os.environ.get("CDS_TEST_POSTGRES_URL"), reason="set CDS_TEST_POSTGRES_URL to run"
)
def test_replay_is_detected_on_postgresql(clock: Clock) -> None:
    engine = create_engine(os.environ["CDS_TEST_POSTGRES_URL"])
    migrate.upgrade(engine)
    store = ReplayStore(engine, clock=clock)
    jti = f"pg-{os.getpid()}-{NOW}"
    try:
        assert store.claim(ISS, jti, NOW + 300) is True
        assert store.claim(ISS, jti, NOW + 300) is False
    finally:
        with engine.begin() as conn:
            conn.execute(seen_tokens.delete().where(seen_tokens.c.jti == jti))
        engine.dispose()
