"""Trusted-issuer files: the example loads; mistakes fail with the file name and the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cds_service.auth.issuers import DEFAULT_ALGORITHMS, IssuerConfigError, load_issuers
from tests.auth.tokens import ISS, JKU, ec_key

EXAMPLE = Path(__file__).parents[2] / "config" / "trusted-issuers.example.toml"
SANDBOX_KID = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f"


def write_json(tmp_path: Path, data: Any, name: str = "issuers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def entry(**overrides: Any) -> dict[str, Any]:
    return {"iss": ISS, "jku": JKU, **overrides}


def error_for(tmp_path: Path, *entries: dict[str, Any]) -> str:
    path = write_json(tmp_path, {"issuers": list(entries)})
    with pytest.raises(IssuerConfigError) as info:
        load_issuers(path)
    assert str(path) in str(info.value)
    return str(info.value)


def test_example_file_holds_the_sandbox_as_a_test_only_es384_issuer() -> None:
    issuers = load_issuers(EXAMPLE)
    sandbox = issuers["https://sandbox.cds-hooks.org"]
    assert sandbox.test_only
    assert sandbox.algorithms == ("ES384",)
    assert sandbox.jku == ("https://sandbox.cds-hooks.org/.well-known/jwks.json",)
    assert sandbox.keys[SANDBOX_KID]["crv"] == "P-384"
    assert list(issuers) == ["https://sandbox.cds-hooks.org"]  # the Epic entry is commented out


def test_json_file_loads_with_defaults(tmp_path: Path) -> None:
    issuer = load_issuers(write_json(tmp_path, {"issuers": [entry(tenant="clinic-1")]}))[ISS]
    assert issuer.algorithms == DEFAULT_ALGORITHMS == ("ES384", "RS384")
    assert issuer.jku == (JKU,)
    assert issuer.tenants == ("clinic-1",)
    assert not issuer.test_only


def test_jwks_file_is_read_relative_to_the_issuer_file(tmp_path: Path) -> None:
    key = ec_key("file-key")
    (tmp_path / "keys.json").write_text(json.dumps({"keys": [key.jwk]}))
    path = write_json(tmp_path, {"issuers": [{"iss": ISS, "jwks_file": "keys.json"}]})
    assert dict(load_issuers(path)[ISS].keys["file-key"]) == key.jwk


def test_malformed_toml_names_the_file_and_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "issuers.toml"
    path.write_text('[[issuers]]\niss = "https://x.example\n')
    with pytest.raises(IssuerConfigError, match=r"issuers\.toml: not valid TOML"):
        load_issuers(path)


def test_malformed_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "issuers.json"
    path.write_text("{not json")
    with pytest.raises(IssuerConfigError, match=r"issuers\.json: not valid JSON"):
        load_issuers(path)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(IssuerConfigError, match="nowhere.toml: cannot read"):
        load_issuers(tmp_path / "nowhere.toml")


@pytest.mark.parametrize("alg", ["none", "HS256", "HS384", "EdDSA"])
def test_symmetric_none_or_unknown_algorithms_are_refused(tmp_path: Path, alg: str) -> None:
    assert alg in error_for(tmp_path, entry(algorithms=["ES384", alg]))


@pytest.mark.parametrize(
    "url", ["http://ehr.example.org/jwks", "ftp://ehr.example.org/jwks", "https://u:p@ehr.example/"]
)
def test_jku_must_be_plain_https(tmp_path: Path, url: str) -> None:
    assert "https" in error_for(tmp_path, entry(jku=url))


def test_private_key_in_the_file_is_refused(tmp_path: Path) -> None:
    key = {**ec_key("k").jwk, "d": "secret"}
    assert "private" in error_for(tmp_path, {"iss": ISS, "jwks": {"keys": [key]}})


def test_symmetric_key_in_the_file_is_refused(tmp_path: Path) -> None:
    key = {"kty": "oct", "kid": "k", "k": "c2VjcmV0"}
    assert "kty" in error_for(tmp_path, {"iss": ISS, "jwks": {"keys": [key]}})


def test_unusable_key_is_refused(tmp_path: Path) -> None:
    key = {**ec_key("k").jwk, "x": "AAAA"}
    assert "usable" in error_for(tmp_path, {"iss": ISS, "jwks": {"keys": [key]}})


def test_issuer_without_any_key_source_is_refused(tmp_path: Path) -> None:
    assert "needs 'jku'" in error_for(tmp_path, {"iss": ISS})


def test_misspelt_field_is_refused(tmp_path: Path) -> None:
    assert "algorithm" in error_for(tmp_path, entry(algorithm=["ES384"]))


def test_duplicate_issuer_is_refused(tmp_path: Path) -> None:
    assert "duplicate iss" in error_for(tmp_path, entry(), entry())


def test_file_without_issuers_list_is_refused(tmp_path: Path) -> None:
    path = write_json(tmp_path, {"issuer": []})
    with pytest.raises(IssuerConfigError, match="'issuers' list"):
        load_issuers(path)
