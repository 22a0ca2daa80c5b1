"""gunicorn settings for `make serve` and the container: JSON logs, metrics summed over workers.

Every log line (the app's, gunicorn's own and the access log) is one JSON object on stderr.
Prometheus multiprocess mode: each worker writes its metrics to PROMETHEUS_MULTIPROC_DIR (a
fresh temp dir unless set) and /metrics sums them; a dead worker's gauges are dropped.
"""

import os
import tempfile

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="cds-prometheus-")

workers = int(os.environ.get("CDS_WORKERS", "2"))
# Threads per worker; a slow client holds none until its request has arrived
# (cds_service/serving.py), so these only bound concurrent hook calls.
worker_class = "cds_service.serving.SlowClientSafeWorker"
threads = int(os.environ.get("CDS_THREADS", "16"))
# A worker whose event loop stops for this long is restarted (the loop never waits on a client).
timeout = 30
keepalive = 5
# A 9 kB JWT fits (431 only beyond 16 kB); the request line stays at gunicorn's default.
limit_request_field_size = 16_384
accesslog = "-"
# Path only (no query string): service ids, never patient data.
access_log_format = "%(m)s %(U)s %(s)s %(B)s bytes %(M)s ms"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cds_service.ops.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "WARNING", "handlers": []},  # the app logs through its own JSON handler
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def child_exit(server, worker):  # noqa: ANN001, ANN201 - gunicorn hook signature
    """Drop the metrics files of a worker that exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_starting(server: object) -> None:
    """A bad card file, value set, issuers file or setting: one stderr line, exit status 4."""
    from cds_service.startup import preflight

    preflight()
