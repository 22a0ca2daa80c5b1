"""The container image: built from the wheel, unprivileged, with a health check (no Docker here,
so the Dockerfile is read, and what it copies must exist)."""

from __future__ import annotations

import re

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, flags=re.M)


def test_every_copied_path_exists() -> None:
    for line in _instructions("COPY"):
        if line.startswith("--from"):
            continue
        *sources, _target = line.split()
        missing = [s for s in sources if not (ROOT / s).exists()]
        assert missing == [], line


def test_the_image_runs_as_an_unprivileged_user_with_a_health_check() -> None:
    users = _instructions("USER")
    assert users and users[-1] not in {"root", "0"}
    assert "/readyz" in DOCKERFILE.split("HEALTHCHECK", 1)[1]


def test_dependencies_come_from_the_project_extras_not_ad_hoc() -> None:
    runs = " ".join(_instructions("RUN"))
    assert "[postgres,tracing]" in runs  # CDS_TRACING works in the image
    assert "psycopg" not in runs and "opentelemetry" not in runs  # through the extras
    assert "CDS_CARDS_DIR" not in DOCKERFILE  # the wheel carries its cards


def test_the_default_command_migrates_then_serves() -> None:
    (command,) = _instructions("CMD")[-1:]
    assert command.startswith('["cds-service", "serve", "--migrate"')
