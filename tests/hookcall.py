"""Hook calls answered in process: the pipeline without Flask, for the rule tests.

`HookCaller.post(path, json=body)` has the test client's signature and answers as the
service would (status, JSON body), by `run_hook` on a body parsed the way the HTTP view
parses it (`jsonbody.loads_hook`: the element projection and the deferred observations
included). It skips what only HTTP does (auth, CORS, size limits, metrics, the card log);
those have their own tests, and `tests/test_fixtures.py` keeps one HTTP call per hook that
must give the same cards.

Start-up (card files, terminology, value sets, rules) is loaded once per session; each
caller gets its own in-memory database, so the repeat guard starts empty in every test.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from cds_service import jsonbody, tables
from cds_service.dbengine import make_engine
from cds_service.errors import NotFound, ServiceError, operation_outcome
from cds_service.pipeline import run_hook
from cds_service.repeats import RepeatGuard
from cds_service.runtime import Runtime
from cds_service.storage import FeedbackStore

SERVICES_PATH = "/cds-services/"


@dataclass(frozen=True)
class Answer:
    """What the test client's response offers the rule tests: status and JSON body."""

    status_code: int
    body: dict[str, Any]

    def get_json(self) -> dict[str, Any]:
        return self.body


class HookCaller:
    """Answers `post("/cds-services/<id>", json=body)` through the pipeline, in process."""

    def __init__(self, base: Runtime) -> None:
        """Share `base`'s start-up products; the database is this caller's own."""
        store = FeedbackStore(make_engine("sqlite://"), base.settings.db_busy_timeout_seconds)
        # The tables as the code declares them: the same schema the migrations build
        # (tests/ops/test_migrations.py compares them), without running Alembic per test.
        tables.metadata.create_all(store.engine)
        self.runtime = dataclasses.replace(base, store=store, repeats=RepeatGuard(store.log_engine))

    def post(self, path: str, *, json: Any) -> Answer:
        """The service's answer to the body posted at `path`."""
        if not path.startswith(SERVICES_PATH):
            raise ValueError(f"not a hook path: {path}")
        service = self.runtime.services.get(path.removeprefix(SERVICES_PATH))
        try:
            if service is None:
                raise NotFound("Unknown CDS service")  # as the API says it: no echo
            result = run_hook(self.runtime, service, jsonbody.loads_hook(_encode(json)))
        except ServiceError as exc:
            return Answer(exc.status, operation_outcome(exc.code, exc.message, exc.details))
        # Through JSON and back, as a client reads it (no shared objects with the picture).
        answer: dict[str, Any] = jsonbody.loads(_encode(result.body))
        return Answer(200, answer)

    def close(self) -> None:
        self.runtime.store.dispose()


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
