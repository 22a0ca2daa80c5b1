"""Fixtures: a programmable FHIR server on loopback, a second "other host", one session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.fhir.fake_fhir import FakeFhirServer


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    """The FHIR server under the test's control."""
    server = FakeFhirServer()
    yield server
    server.close()


@pytest.fixture
def other_host() -> Iterator[FakeFhirServer]:
    """A second server (another origin) that must never be contacted."""
    server = FakeFhirServer()
    yield server
    server.close()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """One requests session that ignores proxy and netrc settings from the environment."""
    with requests.Session() as s:
        s.trust_env = False
        yield s
