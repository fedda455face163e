# MotCua images, from one file (see docs/PRODUCTION.md):
#   app     Django + gunicorn + Celery, non-root; compose runs it as web, worker, beat, migrate
#   nginx   nginx in front, with the collected static files baked in
#   backup  pg_dump/pg_restore of the same major version as the database, mc, and the
#           scripts deploy/backup.sh and deploy/restore.sh
# `docker build .` builds `app`. deploy/ci-images.sh builds `app` and `nginx` and runs them.
# No `# syntax=` line: the builder's own Dockerfile frontend is enough, and fetching another
# would need a container registry.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NGINX_IMAGE=nginx:1.27-bookworm
ARG POSTGRES_IMAGE=postgres:16-bookworm
ARG MC_IMAGE=minio/mc:RELEASE.2025-04-16T18-13-26Z

# --- 1. wheels: build every dependency once, from the pinned constraints ----------------------
FROM ${PYTHON_IMAGE} AS wheels
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
# The project itself ships no package (its apps are copied below); its wheel pulls the
# dependencies of pyproject.toml at the exact versions of constraints.txt.
RUN pip wheel --wheel-dir /wheels --constraint constraints.txt .

# --- 2. app: slim runtime ---------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    MEDIA_ROOT=/data/media
# WeasyPrint (slips, reports) draws with Pango and HarfBuzz; the PDFs use DejaVu fonts.
# fontconfig builds the system fonts' cache here, in the image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fontconfig fonts-dejavu-core fonts-dejavu-extra \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 motcua \
 && useradd --system --uid 10001 --gid motcua --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin motcua
COPY --from=wheels /wheels /tmp/wheels
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-index --find-links=/tmp/wheels --constraint /tmp/constraints.txt motcua \
 && rm -rf /tmp/wheels /tmp/constraints.txt
WORKDIR /app
# The code belongs to root and is read-only to the app's user.
COPY . /app
# Hashed, compressed static files (WhiteNoise's manifest); nginx gets a copy below. Collected
# by root, readable by all (the storage's modes, portal/settings.py; the umask for WhiteNoise's
# compressed copies): the app's user and nginx's workers read them. The key only lets settings
# load: collectstatic signs nothing.
# /data/media (uploads, private to the app's user) and /data/beat (beat's schedule) are the
# only places the app writes, besides /tmp; a new volume mounted there takes their owner.
RUN umask 022 \
 && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
 && chmod +x /app/deploy/entrypoint.sh \
 && mkdir -p /data/media /data/beat \
 && chown -R motcua:motcua /data
# WeasyPrint's fontconfig caches the fonts it is given (and any missing from the image's
# cache) in the user's cache directory: /tmp, the one place the app's user may write.
ENV XDG_CACHE_HOME=/tmp/cache
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]

# --- 3. nginx: static files and private downloads --------------------------------------------
FROM ${NGINX_IMAGE} AS nginx
# Workers run as the app's user (uid 10001), so they can read attachments stored 0600, and
# write request bodies and proxied answers under /var/cache/nginx (deploy/nginx/nginx.conf).
# curl: the container health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 motcua \
 && useradd --system --uid 10001 --gid motcua --no-create-home --shell /usr/sbin/nologin motcua \
 && mkdir -p /var/cache/nginx \
 && chown -R motcua:motcua /var/cache/nginx \
 && rm -f /etc/nginx/conf.d/default.conf
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY deploy/nginx/motcua.conf /etc/nginx/conf.d/motcua.conf
COPY --from=app /app/staticfiles /srv/static

# --- 4. backup: the PostgreSQL client tools of the server's version, and mc -----------------
FROM ${MC_IMAGE} AS mc
FROM ${POSTGRES_IMAGE} AS backup
COPY --from=mc /usr/bin/mc /usr/local/bin/mc
COPY deploy/backup.sh deploy/restore.sh /usr/local/bin/
RUN chmod +x /usr/local/bin/backup.sh /usr/local/bin/restore.sh
CMD ["backup.sh"]

# --- default target ---------------------------------------------------------------------------
FROM app
