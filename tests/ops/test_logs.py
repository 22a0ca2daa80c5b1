"""Logs are one JSON object per line, carry hookInstance and service id, and no patient data."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from flask import g

from cds_service import create_app
from cds_service.hookcall import HookCall
from cds_service.ops.logs import JsonFormatter
from tests.conftest import load_fixture, make_settings, pinned_clock, post_hook

FIXTURE = "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"


def json_lines(text: str) -> list[dict[str, object]]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # raises if any line is not JSON


def test_every_line_is_json_with_hook_instance_and_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(make_settings(tmp_path, log_level="DEBUG"), clock=pinned_clock)
    body = load_fixture(FIXTURE)

    with app.test_request_context():  # any line logged during a hook call carries its ids
        g.hook_call = HookCall("svc-1", "hi-1")
        logging.getLogger("cds_service.test").info("inside a hook call")
    assert post_hook(app.test_client(), body).status_code == 200
    app.extensions["cds_runtime"].store.dispose()
    entries = json_lines(capsys.readouterr().err)
    answered = [e for e in entries if e["message"] == "hook answered"]
    assert answered and answered[0]["hookInstance"] == body["hookInstance"]
    assert answered[0]["service"] == "eczema-order-sign"
    assert "tcs-potent-on-sensitive-site" in answered[0]["rules_fired"]
    inside = [e for e in entries if e["message"] == "inside a hook call"]
    assert inside[0]["hookInstance"] == "hi-1" and inside[0]["service"] == "svc-1"
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)


def test_exceptions_are_logged_by_type_and_stack_not_message() -> None:
    try:
        raise ValueError("Quigglesworth 1996-05-14")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exc_type"] == "ValueError"
    assert entry["stack"] and "test_logs.py" in entry["stack"][0]
    assert "Quigglesworth" not in json.dumps(entry)


def test_a_hook_instance_that_is_not_a_uuid_is_not_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(make_settings(tmp_path), clock=pinned_clock)
    body = load_fixture(FIXTURE)
    body["hookInstance"] = "MRN-4242-planted"  # the schema takes any string
    assert post_hook(app.test_client(), body).status_code == 200
    app.extensions["cds_runtime"].store.dispose()
    err = capsys.readouterr().err
    answered = [e for e in json_lines(err) if e["message"] == "hook answered"]
    assert answered and answered[0]["hookInstance"] is None and "MRN-4242" not in err
