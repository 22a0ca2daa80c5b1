"""A key host answering a byte a second (TLS on loopback) never holds a caller past the deadline.

Before: the 2 s timeout was per read, so a forged token naming a trusted issuer's jku with an
unknown kid held a worker for as long as the host kept dripping (2 of 26 legitimate calls
answered over 100 s). Now the whole fetch has one deadline, concurrent callers share one fetch,
and a failed fetch is not retried for a minute.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask

from cds_service import create_app
from cds_service.auth.jwks import JwksCache
from tests.auth.slow_keyhost import SlowKeyHost
from tests.auth.tokens import ISS, KeyPair, claims, ec_key, sign
from tests.conftest import load_fixture, make_settings, pinned_clock

TIMEOUT = 1.0
MARGIN = 3.0  # a loaded CI machine; generous by design


def jwks_threads() -> int:
    return sum(t.name == "jwks-fetch" for t in threading.enumerate())


def eventually(predicate, seconds: float = 10.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(params=["headers", "body"])
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SlowKeyHost]:
    server = SlowKeyHost(tmp_path, drip=request.param)
    yield server
    server.close()


def test_fetch_ends_at_the_deadline_and_releases_thread_and_socket(host: SlowKeyHost) -> None:
    cache = JwksCache(timeout=TIMEOUT, ca_bundle=str(host.cert))
    started = time.monotonic()
    assert cache.get_key(host.url, "forged") is None
    assert time.monotonic() - started < TIMEOUT + MARGIN
    assert host.connections == 1
    assert eventually(lambda: jwks_threads() == 0)
    assert eventually(lambda: host.open == 0), "the client socket was left open"


def test_concurrent_unknown_kids_share_one_fetch_then_back_off(host: SlowKeyHost) -> None:
    cache = JwksCache(timeout=TIMEOUT, ca_bundle=str(host.cert))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        found = list(pool.map(lambda i: cache.get_key(host.url, f"forged-{i}"), range(10)))
    assert found == [None] * 10
    assert time.monotonic() - started < TIMEOUT + MARGIN
    assert host.connections == 1
    # Within the next minute no unknown kid makes it fetch, nor wait.
    started = time.monotonic()
    for i in range(20):
        assert cache.get_key(host.url, f"again-{i}") is None
    assert time.monotonic() - started < MARGIN
    assert host.connections == 1


def test_forged_tokens_from_a_slow_key_host_do_not_hold_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = SlowKeyHost(tmp_path, drip="headers")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(host.cert))
    real = ec_key("real")
    issuers = tmp_path / "issuers.json"
    entry = {"iss": ISS, "jku": host.url, "jwks": {"keys": [real.jwk]}}
    issuers.write_text(json.dumps({"issuers": [entry]}))
    base = "https://cds.example.org"
    settings = make_settings(
        tmp_path,
        auth_mode="jwt",
        trusted_issuers=str(issuers),
        public_base_url=base,
        hook_deadline_seconds=TIMEOUT,
    )
    app: Flask = create_app(settings, clock=pinned_clock)
    body = load_fixture("tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json")
    url = "/cds-services/eczema-order-sign"

    def call(key: KeyPair) -> tuple[int, float]:
        payload = claims(aud=base + url, iat=int(time.time()), exp=int(time.time()) + 300)
        token = sign(key, payload=payload, jku=host.url)
        started = time.monotonic()
        response = app.test_client().post(
            url, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        return response.status_code, time.monotonic() - started

    try:
        forged = ec_key("unknown-kid")
        with ThreadPoolExecutor(max_workers=20) as pool:
            forgeries = list(pool.map(lambda _: call(forged), range(20)))
        assert {status for status, _ in forgeries} == {401}
        assert max(seconds for _, seconds in forgeries) < TIMEOUT + MARGIN
        assert host.connections == 1  # one fetch for all twenty
        status, seconds = call(real)  # the known key needs no fetch at all
        assert status == 200 and seconds < MARGIN
        assert eventually(lambda: jwks_threads() == 0 and host.open == 0)
    finally:
        app.extensions["cds_runtime"].store.dispose()
        host.close()
