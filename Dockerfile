# The service as a wheel (cards, schemas, terminology and gunicorn settings inside it), run as
# an unprivileged user. Build: docker build -t cds-service .   Run: see README "Operating it".
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md gunicorn.conf.py ./
COPY cds_service ./cds_service
COPY cards ./cards
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
# Extras: postgres (the driver for a store shared by replicas), tracing (OpenTelemetry, off
# unless CDS_TRACING is set).
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir "$(ls /wheels/cds_service-*.whl)[postgres,tracing]" && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /app --create-home cds
USER 10001
WORKDIR /app
ENV CDS_BIND_HOST=0.0.0.0 \
    PYTHONDONTWRITEBYTECODE=1
EXPOSE 8080
# /readyz: cards loaded and the store can write; a container that cannot is restarted.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/readyz', timeout=2)"]
# --migrate: `cds-service db upgrade` first, then gunicorn (one container, e.g. docker compose).
# Several replicas (deploy/): the migration Job upgrades once and the Deployment serves without
# --migrate; a replica whose schema is behind answers /readyz 503 (README "Database migrations").
CMD ["cds-service", "serve", "--migrate", "--host", "0.0.0.0", "--port", "8080"]
