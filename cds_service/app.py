"""The application factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, Response

from cds_service.auth.guard import init_auth
from cds_service.cors import init_cors
from cds_service.errors import register_error_handlers
from cds_service.ops import tracing
from cds_service.ops.logs import install_json_logging
from cds_service.ops.metrics import init_metrics
from cds_service.ops.tracing_flask import init_tracing
from cds_service.runtime import Runtime, utc_now
from cds_service.settings import Settings
from cds_service.startup import from_environment


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now
) -> Flask:
    """Build the Flask app; with no arguments, settings come from CDS_* environment variables."""
    if settings is None:  # gunicorn / make serve: a bad configuration is one line and exit 4
        return from_environment(lambda env: create_app(env, clock=clock))
    install_json_logging(settings.log_level)
    # The OpenTelemetry SDK's own warnings (a collector refusing a batch, an export raising)
    # would reach stderr as bare text through logging's last resort: JSON like the rest, and
    # an exception by its type only.
    install_json_logging("WARNING", "opentelemetry")
    tracing.configure(
        settings.tracing, settings.extra.get("span_exporter"), settings.tracing_continue
    )
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    runtime = Runtime.start(settings, clock=clock)
    app.extensions["cds_runtime"] = runtime
    init_metrics(app, runtime.services.keys(), runtime.version)  # first: it times everything
    if tracing.enabled():  # before the auth check: cds.auth is a child of the cds.hook span
        init_tracing(app, {s.id: s.hook for s in runtime.services.values()}, runtime.version)
    # CORS first: a preflight is answered before any auth check runs.
    init_cors(app, settings.cors_origins)
    init_auth(app, settings, runtime.store.engine)

    from cds_service.api import bp

    app.register_blueprint(bp)
    register_error_handlers(app)
    app.after_request(_not_cached_nor_sniffed)
    return app


def _not_cached_nor_sniffed(response: Response) -> Response:
    """Answers carry patient-specific advice and the Sandbox is a browser: no cache keeps one,
    and no browser reads one as anything but its declared type."""
    headers = response.headers
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    return response
