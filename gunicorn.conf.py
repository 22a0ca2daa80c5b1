"""gunicorn reads ./gunicorn.conf.py by default: check the CDS_* configuration before forking."""


def on_starting(server: object) -> None:
    """A bad card file, value set, issuers file or setting: one stderr line, exit status 4."""
    from cds_service.startup import preflight

    preflight()
