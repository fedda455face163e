"""gunicorn settings for the `web` service (deploy/entrypoint.sh web). Read from the
environment so a deployment tunes them in .env without rebuilding the image."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers behind nginx, which buffers slow clients and whole uploads: one process per
# request in flight. Two per core plus one is the usual start; scale out with more replicas.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. The application is
# loaded once in the master and the workers are forked from it (preload_app), so a new worker
# costs a fork, not a second or more of CPU importing Django: without it, each recycling
# stalled the requests in flight for that long (docs/BENCHMARKS.md, look-up p99).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
preload_app = True


def when_ready(server):
    # URLconf and every view are imported lazily by Django's first request: do it once here,
    # in the master, so forked workers share it.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views
    # Keep the loaded objects out of the collector's sight, so a forked worker does not
    # touch (and copy) every page of them the first time it collects.
    gc.freeze()


def post_fork(server, worker):
    # Nothing should have connected before the fork; never share a socket if something did.
    from django.db import connections

    connections.close_all()


# Heartbeat files in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - private to the container
# Only nginx reaches this port (the compose network publishes no port of web), so the
# X-Forwarded-* headers it sets are trusted.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# The control socket would live in $HOME, read-only in the image; nothing uses it.
control_socket_disable = True
limit_request_line = 8190
limit_request_fields = 100

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The request id is the X-Request-ID response header set by portal.middleware.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'
