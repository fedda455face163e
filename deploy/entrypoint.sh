#!/bin/sh
# The app image's entrypoint: one image, several roles (docker-compose.yml picks one).
#   web      gunicorn serving portal.wsgi (deploy/gunicorn.conf.py)
#   worker   a Celery worker on the queues celery, sms, reports (CELERY_QUEUES)
#   beat     the Celery scheduler: run exactly ONE in the whole deployment
#   migrate  apply database migrations, then exit (a one-shot service runs it before web)
#   manage   any manage.py command: `docker compose run --rm web manage createsuperuser`
# Anything else is executed as given.
set -eu

role=${1:-web}
[ $# -gt 0 ] && shift

case "$role" in
  web)
    exec gunicorn --config /app/deploy/gunicorn.conf.py portal.wsgi "$@"
    ;;
  worker)
    exec celery --app portal worker \
      --queues "${CELERY_QUEUES:-celery,sms,reports}" \
      --concurrency "${CELERY_CONCURRENCY:-4}" \
      --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  beat)
    exec celery --app portal beat \
      --schedule /data/beat/celerybeat-schedule --pidfile= \
      --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  migrate)
    exec python manage.py migrate --noinput "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
