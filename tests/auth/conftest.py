"""Fixtures for the auth tests: keys generated once, a fresh database and fake HTTP per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from tests.auth.tokens import Clock, FakeSession, KeyPair, ec_key, rsa_key


@pytest.fixture(scope="session")
def ec384() -> KeyPair:
    return ec_key("ec-384")


@pytest.fixture(scope="session")
def rsa2048() -> KeyPair:
    return rsa_key("rsa-2048")


@pytest.fixture(scope="session")
def attacker() -> KeyPair:
    return ec_key("ec-384")  # same kid as the real key, different key


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session() -> FakeSession:
    return FakeSession()


@pytest.fixture
def engine(tmp_path: Any) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'replay.sqlite3'}")
    yield engine
    engine.dispose()
