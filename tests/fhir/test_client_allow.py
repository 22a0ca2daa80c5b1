"""`CDS_FHIR_SERVER_ALLOW`: loopback, link-local and private addresses only when listed,
checked on the address connected to (after DNS resolution); the 412 never says why."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from cds_service import create_app
from cds_service.fhir.allow import ServerPolicy
from tests.conftest import FIXTURES, make_settings, pinned_clock
from tests.fhir.fake_fhir import FakeFhirServer

FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", False),
        ("::1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("172.16.0.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
    ],
)
def test_default_policy_allows_public_addresses_only(address: str, allowed: bool) -> None:
    assert ServerPolicy().allows("fhir.example.org", address) is allowed


def test_listed_hosts_and_networks() -> None:
    policy = ServerPolicy(["*.hospital.org", "10.0.0.0/8", "127.0.0.1"])
    assert policy.allows("fhir.hospital.org", "10.9.9.9")  # a listed name may be private
    assert policy.allows("anything", "10.1.1.1")
    assert policy.allows("localhost", "127.0.0.1")
    assert not policy.allows("localhost", "127.0.0.2")
    assert not policy.allows("fhir.example.org", "93.184.215.14")  # a list is a list


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    # The default allow-list (public only); both names open, so no token is needed to try.
    settings = make_settings(
        tmp_path, fhir_server_allow=(), fhir_open_servers=("127.0.0.1", "localhost")
    )
    application: Flask = create_app(settings, clock=pinned_clock)
    yield application
    application.extensions["cds_runtime"].store.dispose()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_unlisted_loopback_fhir_server_is_never_contacted(
    app: Flask, fhir: FakeFhirServer, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.loads(FIXTURE.read_text())
    body.pop("prefetch", None)
    body["fhirServer"] = fhir.base.replace("127.0.0.1", host)
    with caplog.at_level(logging.WARNING):
        response = app.test_client().post("/cds-services/eczema-order-sign", json=body)
    assert response.status_code == 412
    issues = [i["diagnostics"] for i in response.get_json()["issue"][1:]]
    assert issues and all(issue.endswith(": unavailable") for issue in issues)
    assert fhir.paths() == []  # not one request reached it
    assert "CDS_FHIR_SERVER_ALLOW" in caplog.text  # the log says why


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::7f00:1",  # local-use NAT64 of 127.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::ffff:10.1.2.3",  # mapped
    ],
)
def test_ipv6_forms_that_carry_a_private_ipv4_address_are_refused(address: str) -> None:
    assert not ServerPolicy().allows("fhir.example.org", address)


def test_ipv6_forms_that_carry_a_public_ipv4_address_follow_it() -> None:
    assert ServerPolicy().allows("fhir.example.org", "64:ff9b::5db8:d70e")  # 93.184.215.14
    assert not ServerPolicy().allows("fhir.example.org", "::1")
