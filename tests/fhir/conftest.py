"""Fixtures: a programmable FHIR server on loopback, a second "other host", one session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """One requests session that ignores proxy and netrc settings from the environment."""
    with requests.Session() as s:
        s.trust_env = False
        yield s
