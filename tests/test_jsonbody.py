"""The body parser: msgspec where it agrees with json.loads, json.loads for everything else."""

from __future__ import annotations

import gzip
import json
import math

import pytest
from flask.testing import FlaskClient

from cds_service import jsonbody

SAME = [
    b'{"a": 1, "a": 2}',
    b"[123456789012345678901234567890, -0.0, 1.5e-7, 0.1, true, null]",
    '{"text": "ecz\u00e9ma \\u00e9 \\ud83d\\ude00"}'.encode(),
    b"  {}  ",
    b"\xef\xbb\xbf{}",  # a UTF-8 byte-order mark: json.loads accepts it
    '["\u00e9"]'.encode("utf-16"),  # json.loads detects UTF-16
    b'["\\ud83d\\ude00", "\\\\ud800"]',  # a surrogate pair; an escaped backslash
]


@pytest.mark.parametrize("raw", SAME)
def test_parses_what_json_loads_parses(raw: bytes) -> None:
    assert jsonbody.loads(raw) == json.loads(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'["\\ud800", "a\\uDFFFb"]',  # escapes, either case
        '["\ud800", "a\udfffb"]'.encode("utf-8", "surrogatepass"),  # encoded: msgspec refuses
        '["\ud800", "a\udfffb"]'.encode("utf-16", "surrogatepass"),
    ],
)
def test_a_lone_surrogate_becomes_the_replacement_character(raw: bytes) -> None:
    assert json.loads(raw) == ["\ud800", "a\udfffb"]  # what the standard library reads
    assert jsonbody.loads(raw) == ["\ufffd", "a\ufffdb"]  # what nothing downstream chokes on
    assert jsonbody.loads_hook(raw) == ["\ufffd", "a\ufffdb"]


def test_lone_surrogates_in_keys_and_lazy_prefetch_are_replaced_too() -> None:
    raw = b'{"context": {"k\\ud800": 1}, "prefetch": {"observations": {"t": "\\udc00"}}}'
    body = jsonbody.loads_hook(raw)
    assert body == {"context": {"k\ufffd": 1}, "prefetch": {"observations": {"t": "\ufffd"}}}


def test_nan_infinity_and_huge_numbers_as_json_loads_reads_them() -> None:
    nan, inf, big = jsonbody.loads(b"[NaN, Infinity, 1e400]")
    assert math.isnan(nan) and inf == math.inf and big == math.inf


@pytest.mark.parametrize("raw", [b"{} x", b"{", b"", b"\xff\xfe\x00", b"{'a': 1}"])
def test_rejects_what_json_loads_rejects(raw: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(raw)
    with pytest.raises(ValueError):
        jsonbody.loads(raw)


def test_deep_nesting_is_a_recursion_error() -> None:
    with pytest.raises(RecursionError):
        jsonbody.loads(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize(
    "raw", [b"[" * 100_000 + b"]" * 100_000, b'{"hook": NaN', b"\xff\xfe{}", b"{} trailing"]
)
def test_hook_endpoint_answers_400_for_non_json(client: FlaskClient, raw: bytes) -> None:
    response = client.post(
        "/cds-services/eczema-order-sign", data=raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_a_hook_body_keeps_the_request_members_and_drops_others() -> None:
    body = {
        "hook": "order-sign",
        "hookInstance": "h1",
        "fhirServer": "https://ehr.example/fhir",
        "fhirAuthorization": {"access_token": "t"},
        "context": {"patientId": "p1"},
        "extension": {"com.example.x": 1},
        "prefetch": {"patient": {"resourceType": "Patient", "id": "p1", "name": [{"family": "D"}]}},
        "somethingElse": {"large": "ignored"},
    }
    parsed = jsonbody.loads_hook(json.dumps(body).encode())
    expected = {k: v for k, v in body.items() if k != "somethingElse"}
    expected["prefetch"] = {"patient": {"resourceType": "Patient", "id": "p1"}}
    assert parsed == expected


@pytest.mark.parametrize("prefetch", ["text", [1], 3, None])
def test_a_prefetch_that_is_not_an_object_reads_as_json_loads_reads_it(prefetch: object) -> None:
    raw = json.dumps({"hook": "order-sign", "prefetch": prefetch, "other": 1}).encode()
    assert jsonbody.loads_hook(raw) == json.loads(raw)


@pytest.mark.parametrize(
    "path", ["/cds-services/eczema-order-sign", "/cds-services/eczema-order-sign/feedback"]
)
@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_a_compressed_body_is_415_not_invalid_json(
    client: FlaskClient, path: str, coding: str
) -> None:
    """The body is never decompressed (a size cap on the wire would not cap it decoded), so
    a content coding is an unsupported media type (RFC 9110 15.5.16), not malformed JSON."""
    body = gzip.compress(json.dumps({"hook": "order-sign"}).encode())
    response = client.post(
        path, data=body, content_type="application/json", headers={"Content-Encoding": coding}
    )
    assert response.status_code == 415
    assert response.get_json()["issue"][0]["diagnostics"] == (
        "Content-Encoding is not supported: send the body uncompressed"
    )


def test_identity_content_encoding_is_the_plain_body(client: FlaskClient) -> None:
    response = client.post(
        "/cds-services/eczema-order-sign",
        data=b"{",
        content_type="application/json",
        headers={"Content-Encoding": "identity"},
    )
    assert response.status_code == 400
