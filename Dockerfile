# Samdrift in a container: `docker compose up -d` (compose.yaml) starts it with PostgreSQL.
FROM python:3.11-slim-bookworm

# Pango for WeasyPrint's PDFs; the PostgreSQL client tools for `samdrift backup`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/samdrift
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/samdrift samdrift \
    && mkdir -p /var/lib/samdrift /var/backups/samdrift \
    && chown samdrift:samdrift /var/lib/samdrift /var/backups/samdrift

USER samdrift
ENV SAMDRIFT_ENV=production \
    SAMDRIFT_DATA_DIR=/var/lib/samdrift \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4)"
CMD ["samdrift", "serve", "--port", "8000"]
