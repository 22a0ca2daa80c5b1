FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cds_service ./cds_service
COPY cards ./cards
COPY gunicorn.conf.py ./
RUN pip install --no-cache-dir . "psycopg[binary]>=3.2"
ENV CDS_BIND_HOST=0.0.0.0 \
    CDS_CARDS_DIR=/app/cards
EXPOSE 8080
CMD ["gunicorn", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8080", "cds_service:create_app()"]
