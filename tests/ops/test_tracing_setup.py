"""CDS_TRACING at start-up: modes, the missing-package message, and what a span may carry."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cds_service import create_app
from cds_service.fhir.client import resource_type
from cds_service.ops import tracing
from cds_service.ops.tracing_flask import uuid_or_none
from cds_service.startup import APP_LOAD_ERROR, from_environment
from tests.conftest import load_fixture, make_settings, pinned_clock, post_hook

PACKAGE = Path(__file__).resolve().parents[2] / "cds_service"
BASE = "https://ehr.example.org/fhir/R4"
IMPORT = re.compile(r"^\s*(from|import)\s+opentelemetry\b", re.MULTILINE)


@pytest.fixture(autouse=True)
def untraced_afterwards() -> Iterator[None]:
    yield
    tracing.configure("off")


def block_opentelemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``import opentelemetry...`` fail, as on an install without the extra."""
    loaded = [n for n in sys.modules if n == "opentelemetry" or n.startswith("opentelemetry.")]
    for name in {"opentelemetry", *loaded}:
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]


def test_the_service_answers_without_opentelemetry_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block_opentelemetry(monkeypatch)
    app = create_app(make_settings(tmp_path), clock=pinned_clock)
    try:
        response = post_hook(
            app.test_client(),
            load_fixture("tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"),
        )
    finally:
        app.extensions["cds_runtime"].store.dispose()
    assert response.status_code == 200 and response.get_json()["cards"]


@pytest.mark.parametrize("mode", ["console", "otlp"])
def test_tracing_asked_for_without_the_packages_stops_start_up_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mode: str,
) -> None:
    block_opentelemetry(monkeypatch)
    monkeypatch.setenv("CDS_TRACING", mode)
    monkeypatch.setenv("CDS_AUTH_MODE", "off")
    monkeypatch.setenv("CDS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(SystemExit) as stopped:
        from_environment(create_app)
    assert stopped.value.code == APP_LOAD_ERROR
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith(f"cds-service: start-up failed: CDS_TRACING={mode} needs the")
    assert "pip install 'cds-service[tracing]'" in lines[-1]


def test_an_unknown_tracing_mode_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(tracing.TracingConfigError, match="CDS_TRACING must be one of"):
        create_app(make_settings(tmp_path, tracing="jaeger"), clock=pinned_clock)


def test_console_mode_prints_spans_and_otlp_mode_starts_without_a_collector(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tracing.configure("console")
    with tracing.span("cds.picture"):
        pass
    assert '"name": "cds.picture"' in capsys.readouterr().out
    tracing.configure("otlp")  # nothing is sent until a span ends: no collector needed here
    assert tracing.enabled()


def test_only_the_tracing_module_imports_opentelemetry() -> None:
    importers = {
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if IMPORT.search(p.read_text(encoding="utf-8"))
    }
    assert importers == {"ops/tracing.py"}


def test_a_span_attribute_outside_the_table_is_refused() -> None:
    tracing.configure("console", exporter=InMemorySpanExporter())
    with pytest.raises(TypeError, match="patient_id"):
        tracing.span("cds.picture", patient_id="tcs-eyelid-age-30")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{BASE}/Patient/tcs-eyelid-age-30", "Patient"),
        (f"{BASE}/Condition?patient=tcs-eyelid-age-30", "Condition"),
        (f"{BASE}/Observation?patient=p1&category=laboratory,vital-signs", "Observation"),
        (f"{BASE}/Medication/med-1", "Medication"),
        (f"{BASE}?_getpages=abc&_getpagesoffset=20", "other"),  # a HAPI paging link
        (f"{BASE}/Jane-Doe/123", "other"),  # not a type this service reads: never echoed
        (f"{BASE}Patient/1", "other"),  # not under the base
        ("https://elsewhere.example.org/fhir/R4/Patient/1", "other"),
    ],
)
def test_a_fhir_span_names_the_resource_type_from_a_fixed_set(url: str, expected: str) -> None:
    assert resource_type(BASE, url) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fd6e2748-8041-5b36-99f2-71d3c7783658", "fd6e2748-8041-5b36-99f2-71d3c7783658"),
        ("FD6E2748-8041-5B36-99F2-71D3C7783658", "fd6e2748-8041-5b36-99f2-71d3c7783658"),
        ("mrn-12345-jane-doe", None),
        ("", None),
        (None, None),
    ],
)
def test_hook_instance_goes_in_a_span_only_when_it_is_a_uuid(
    value: str | None, expected: str | None
) -> None:
    assert uuid_or_none(value) == expected


def test_the_opentelemetry_sdks_own_warnings_are_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(make_settings(tmp_path), clock=pinned_clock)
    capsys.readouterr()
    sdk = logging.getLogger("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    sdk.warning("Failed to export span batch code: %s, reason: %s", 404, "Not Found")
    try:
        raise ValueError("patient eh-1m")  # exception text can quote request values
    except ValueError:
        sdk.exception("Exception while exporting Span.")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    app.extensions["cds_runtime"].store.dispose()
    assert [(e["level"], e["message"]) for e in lines] == [
        ("WARNING", "Failed to export span batch code: 404, reason: Not Found"),
        ("ERROR", "Exception while exporting Span."),
    ]
    assert lines[1]["exc_type"] == "ValueError" and "eh-1m" not in json.dumps(lines)
