"""A few seconds of the load test: gunicorn, concurrent clients, one worker SIGKILLed."""

from __future__ import annotations

from pathlib import Path

from tests.load.loadtest import passed, run


def test_short_load_with_a_killed_worker_loses_no_acknowledged_feedback(tmp_path: Path) -> None:
    report = run(
        duration=5,
        clients=4,
        workers=2,
        kill_after=2,
        database_url=f"sqlite:///{tmp_path / 'load.sqlite3'}",
    )
    assert report["requests_ok"]["hook"] > 0 and report["feedback_acknowledged"] > 0
    assert report["feedback_lost"] == 0
    assert report["http_errors"] == {}
    assert report["killed_worker"] is not None and report["serving_after_kill"]
    assert passed(report), report
