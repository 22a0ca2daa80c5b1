"""`cds-service serve`: gunicorn with the project's settings file, from a checkout or a wheel."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
# A source checkout's gunicorn.conf.py wins; a wheel carries a copy of it (setup.py).
CHECKOUT_CONF = PACKAGE.parent / "gunicorn.conf.py"
PACKAGED_CONF = PACKAGE / "_gunicorn.conf.py"


def config_path() -> Path:
    """The gunicorn settings file this installation serves with."""
    return CHECKOUT_CONF if CHECKOUT_CONF.is_file() else PACKAGED_CONF


def run(host: str, port: int) -> int:
    """Replace this process with gunicorn serving create_app() on host:port."""
    from gunicorn.app.wsgiapp import run as gunicorn_run

    # The auth-off guard compares the listen address with CDS_BIND_HOST: tell it the real one.
    os.environ.setdefault("CDS_BIND_HOST", host)
    sys.argv = [
        "gunicorn",
        "-c",
        str(config_path()),
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "cds_service:create_app()",
    ]
    gunicorn_run()
    return 0
