"""Service settings: read once from ``CDS_*`` environment variables into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_DB_FILE = Path("instance") / "cds.sqlite3"


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with; see `.env.example` and the README."""

    database_url: str = f"sqlite:///{DEFAULT_DB_FILE}"
    db_busy_timeout_seconds: float = 1.0  # well under the hook deadline
    # Connections each process keeps pooled, and how many more it may open at a peak (PostgreSQL
    # and SQLite files; per gunicorn worker, so replicas x workers x (size + overflow) in all).
    db_pool_size: int = 5
    db_max_overflow: int = 10
    public_base_url: str = "http://127.0.0.1:8080"
    bind_host: str = "127.0.0.1"
    auth_mode: str = "jwt"
    # Host headers accepted with CDS_AUTH_MODE=off (a DNS-rebinding page sends its own name).
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
    trusted_issuers: str = ""
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 5_000_000
    hook_deadline_seconds: float = 2.5
    fhir_timeout_seconds: float = 2.0
    fhir_max_bytes: int = 20_000_000
    fhir_max_pages: int = 20
    fhir_server_allow: tuple[str, ...] = ()  # empty: public addresses only (fhir/allow.py)
    fhir_open_servers: tuple[str, ...] = ()  # hosts fetched without fhirAuthorization
    fhir_max_workers: int = 6  # one per prefetch template: fallback queries run at once
    debug_trace: bool = False
    tracing: str = "off"  # off, console or otlp (ops/tracing.py; OTEL_EXPORTER_OTLP_* for otlp)
    # Continue a hook call's incoming traceparent (else a new trace linked to it): only behind
    # an ingress that sets or strips the header, since the span opens before authentication.
    tracing_continue: bool = False
    log_level: str = "INFO"
    cards_dir: str = ""
    # Read by `purge` (ops/purge.py), not by the running service. 0 keeps feedback forever.
    retention_days: int = 90
    feedback_retention_days: int = 0
    # Objects, not configuration: tests put a "span_exporter" here (ops/tracing.py).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # SQLAlchemy reads a pool size of 0 as "no limit", an overflow of -1 as unlimited and
        # one below -1 as a checkout that recurses until the process crashes: the bound the
        # README gives (replicas x workers x (size + overflow)) needs both to be counts.
        if self.db_pool_size < 1 or self.db_max_overflow < 0:
            raise ValueError(
                "CDS_DB_POOL_SIZE must be at least 1 and CDS_DB_MAX_OVERFLOW at least 0"
            )

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (tests use this)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``CDS_<FIELD>`` variables; unset ones keep their defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f"CDS_{f.name.upper()}")
            if raw is None:
                continue
            default = getattr(cls(), f.name)
            try:
                if isinstance(default, bool):
                    values[f.name] = _bool(raw)
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, float):
                    values[f.name] = float(raw)
                elif isinstance(default, tuple):
                    values[f.name] = _list(raw)
                else:
                    values[f.name] = raw.strip()
            except ValueError as exc:
                raise ValueError(f"CDS_{f.name.upper()}: {exc}") from exc
        return cls(**values)
