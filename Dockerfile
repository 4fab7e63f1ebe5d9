# Espace Prêts: one image for the web nodes (gunicorn, the default command) and the task workers
# (`python manage.py task_worker`). README, « Deploying beyond one machine »; deploy/compose.yaml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    ESPACE_RUN_ENV=/nonexistent \
    STATIC_ROOT=/app/static-collected \
    PORT=8000

# WeasyPrint (Pango, HarfBuzz), libmagic (upload types by content), the fonts of letters and PDFs,
# poppler-utils (page counts of letter batches are checked with it in operations).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 fonts-dejavu-core poppler-utils \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --home-dir /app espace

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY manage.py ./
COPY config config
COPY espace espace
COPY templates templates
COPY static static
COPY deploy/healthcheck.py deploy/healthcheck.py

# Static files are collected (hashed, compressed) at build time; WhiteNoise serves them. The values
# below exist only for this step: the settings refuse to load without a key, SMTP and clamd.
RUN DEBUG=0 SECRET_KEY=build-only-not-a-secret EMAIL_HOST=build CLAMD_HOST=build \
    python manage.py collectstatic --noinput -v 0

# The service runs unprivileged and writes nothing under /app (files go to the bucket, exports to /tmp).
USER 10001

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
