"""Fixtures for the auth tests: keys generated once, a fresh database and fake HTTP per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from cds_service import migrate
from cds_service.auth import Authenticator, JwksCache, ReplayStore, parse_issuers
from tests.auth.tokens import BASE, ISS, JKU, Clock, FakeSession, KeyPair, ec_key, rsa_key


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


@pytest.fixture
def make_auth(
    engine: Engine, clock: Clock, session: FakeSession, ec384: KeyPair
) -> Callable[..., Authenticator]:
    """Build an Authenticator; by default one issuer with the EC key inline and JKU allowed."""

    def build(
        *entries: dict[str, Any], engine_: Engine | None = None, **kwargs: Any
    ) -> Authenticator:
        data = {
            "issuers": list(entries) or [{"iss": ISS, "jku": JKU, "jwks": {"keys": [ec384.jwk]}}]
        }
        store = ReplayStore(engine_ or engine, clock=clock)
        migrate.upgrade(engine_ or engine)
        keys = JwksCache(session, clock=clock)
        kwargs.setdefault("public_base_url", BASE)
        return Authenticator(parse_issuers(data), keys, store, clock=clock, **kwargs)

    return build
