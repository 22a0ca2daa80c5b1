"""Start-up from the environment: a configuration fault is one clear line and a non-zero exit.

Under gunicorn the factory runs in each worker. A worker that exits with status 4 (gunicorn's
APP_LOAD_ERROR) makes the master stop with "App failed to load." instead of respawning workers
that fail the same way forever; the line printed before it names the file and the problem.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from cds_service.cards import CardFileError
from cds_service.schemas import SchemaLoadError
from cds_service.settings import Settings
from cds_service.terminology import TerminologyError

T = TypeVar("T")
APP_LOAD_ERROR = 4
# ValueError covers CDS_* values that do not parse, the issuers file and the auth settings.
CONFIG_ERRORS = (CardFileError, TerminologyError, SchemaLoadError, ValueError, OSError)


def one_line(exc: BaseException) -> str:
    """The start-up failure as a single line (TOML and schema errors span several)."""
    if isinstance(exc, SQLAlchemyError):
        # Driver messages can carry the database URL and its password: name the kind only.
        return f"database unavailable ({type(exc).__name__}); check CDS_DATABASE_URL"
    return " ".join(str(exc).split()) or type(exc).__name__


def from_environment(build: Callable[[Settings], T]) -> T:
    """``build(Settings.from_env())``, or print one line to stderr and exit 4 if it cannot."""
    try:
        return build(Settings.from_env())
    except (*CONFIG_ERRORS, SQLAlchemyError) as exc:
        print(f"cds-service: start-up failed: {one_line(exc)}", file=sys.stderr, flush=True)
        raise SystemExit(APP_LOAD_ERROR) from None


def preflight() -> None:
    """Build the app once in gunicorn's master, so a bad configuration stops it before forking.

    Without this each worker fails on its own and gunicorn's master, halting on the first,
    can trip over the second and print its own traceback after our line.
    """
    from cds_service.app import create_app
    from cds_service.ops import tracing

    app = from_environment(create_app)
    app.extensions["cds_runtime"].store.dispose()
    tracing.configure("off")  # each worker sets tracing up again: no exporter thread here
