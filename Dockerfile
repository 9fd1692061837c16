# marketdata web image: gunicorn serving config.wsgi, static files by WhiteNoise.
# Build: docker build -t marketdata .
# Run:   docker run -p 8000:8000 -e DJANGO_SECRET_KEY=... -e DATABASE_TYPE=postgresql -e DATABASE_URL=... marketdata
# The same image runs a Celery worker: docker run marketdata celery -A config worker -l info
FROM python:3.11-slim

# SQL Server / Azure SQL (DATABASE_TYPE=azure_sql): pyodbc needs unixODBC and Microsoft's ODBC Driver 18,
# which comes from Microsoft's Debian 12 repository (its EULA is accepted here). Build with
# --build-arg INSTALL_MSODBC=0 for an image that only talks to SQLite or PostgreSQL.
ARG INSTALL_MSODBC=1
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends unixodbc curl ca-certificates gnupg; \
    if [ "$INSTALL_MSODBC" = "1" ]; then \
        curl -fsSL https://packages.microsoft.com/keys/microsoft.asc | gpg --dearmor -o /usr/share/keyrings/microsoft-prod.gpg; \
        curl -fsSL https://packages.microsoft.com/config/debian/12/prod.list -o /etc/apt/sources.list.d/mssql-release.list; \
        apt-get update; \
        ACCEPT_EULA=Y apt-get install -y --no-install-recommends msodbcsql18; \
    fi; \
    apt-get purge -y --auto-remove gnupg; \
    rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000 \
    WEB_CONCURRENCY=3

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time; the key is a placeholder that only this step sees.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v 0

RUN useradd --create-home --uid 10001 app && mkdir -p /app/var && chown -R app:app /app/var
USER app

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]

# WEB_CONCURRENCY sets gunicorn's worker count; migrations run as a separate release step (manage.py migrate).
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:${PORT} --access-logfile - --timeout 120"]
