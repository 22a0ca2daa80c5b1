"""Schemathesis against /openapi.json, in process: valid and invalid bodies never get a 500."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from schemathesis import GenerationMode

from cds_service import create_app
from tests.conftest import make_settings, pinned_clock

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
MAX_EXAMPLES = 60  # per operation and mode: bounded so `make test` stays a few minutes

# Loaded at import: schemathesis parametrizes at collection time (its fixture loader does not
# work with this pytest), so the app gets its own throw-away database directory here.
_DB_DIR = Path(tempfile.mkdtemp(prefix="cds-schemathesis-"))
atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)
APP = create_app(make_settings(_DB_DIR), clock=pinned_clock)

schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
    database="none",
)
# A schema-valid hook call with neither prefetch nor fhirServer has no data: 412 is its answer.
schema.config.checks.positive_data_acceptance.expected_statuses = ["2xx", "412"]


@schema.parametrize()
def test_every_operation_conforms_and_never_errors(case: schemathesis.Case) -> None:
    # Auth is off, which the service allows only for loopback peers.
    case.call_and_validate(environ_base=LOOPBACK)
