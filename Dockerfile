# One image for web, worker and beat (docker-compose.yml); configured by environment.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=iro_service.settings.production

# WeasyPrint needs Pango; fonts for the documents. pg_dump/pg_restore for `manage.py backup`
# and `restore`: bookworm's postgresql-client is 15, the version of the postgres:15 service.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings but no secrets or database: a throwaway key for this step only.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

# The documents and backups volumes mount here; a new named volume takes this ownership.
RUN useradd --create-home --uid 10001 iro && mkdir -p /app/var/documents /app/var/backups && chown -R iro /app
USER iro

EXPOSE 8000
CMD ["gunicorn", "iro_service.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
