"""Health and observability: /healthz, /readyz, request ids, structured logs, Sentry."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import RequestFactory

from portal.logging import JsonFormatter, RequestIdFilter, request_id_get
from portal.middleware import RequestIdMiddleware

BASE_DIR = Path(django_settings.BASE_DIR)


def run_django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh Python with Django set up under the given environment."""
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- /healthz and /readyz -------------------------------------------------------------------


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_lists_each_check_when_ready(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis)")
def test_readyz_checks_redis_when_it_is_configured(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}


@pytest.mark.django_db
def test_readyz_names_redis_when_it_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("fail: ")


@pytest.mark.django_db
def test_readyz_names_the_storage_when_media_root_is_unusable(client, settings, tmp_path):
    not_a_dir = tmp_path / "media-is-a-file"
    not_a_dir.write_text("x")
    settings.MEDIA_ROOT = not_a_dir / "media"
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_readyz_names_the_storage_when_the_s3_endpoint_is_down(client, settings):
    settings.REDIS_URL = ""
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "motcua",
                "endpoint_url": "http://127.0.0.1:1",
                "access_key": "test",
                "secret_key": "test-secret",
                "region_name": "us-east-1",
            },
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


def test_readyz_names_the_database_when_it_is_down():
    result = run_django(
        "from django.test import Client\n"
        "r = Client().get('/readyz')\n"
        "print(r.status_code, r.content.decode())\n",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
        REDIS_URL="",
        MEDIA_ROOT=str(BASE_DIR / "var" / "media"),
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body)["failing"] == ["database"]


# --- request ids ----------------------------------------------------------------------------


def test_it_puts_a_new_request_id_on_the_response(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_it_keeps_the_request_id_the_proxy_sent(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a9c.17")
    assert response["X-Request-ID"] == "nginx-4f2a9c.17"


@pytest.mark.parametrize("unsafe", ["two words", "x" * 129, "a\nb", "<script>"])
def test_it_replaces_a_request_id_unfit_for_logs(client, unsafe):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=unsafe)
    assert response["X-Request-ID"] != unsafe
    assert len(response["X-Request-ID"]) == 32


def test_every_log_record_of_a_request_carries_its_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.request_id")
    logger.addHandler(handler)
    logger.propagate = False

    def view(request):
        logger.info("first", extra={"dossier": "H33.41-250101-0001"})
        logger.warning("second")
        return HttpResponse("ok")

    try:
        response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-1"))
        logger.warning("after the request")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert response["X-Request-ID"] == "req-1"
    assert [(line["message"], line["request_id"]) for line in lines] == [
        ("first", "req-1"),
        ("second", "req-1"),
        ("after the request", "-"),
    ]
    assert lines[0]["dossier"] == "H33.41-250101-0001"
    assert lines[0]["level"] == "INFO"
    assert lines[0]["logger"] == "tests.request_id"
    assert request_id_get() == "-"


@pytest.mark.django_db
def test_djangos_own_log_of_an_error_answer_carries_the_request_id(client):
    # django.request logs a 404 after the middleware chain has returned.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="req-404")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"].startswith("Not Found")
    assert line["request_id"] == "req-404"
    assert line["status_code"] == 404


def test_json_formatter_keeps_the_exception():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    data = json.loads(formatter.format(record))
    assert "ValueError: boom" in data["exc_info"]
    assert data["request_id"] == "-"


def test_a_task_queued_during_a_request_runs_under_its_request_id():
    from celery import Celery
    from celery.worker.request import Request

    app = Celery("request-id-test", broker="memory://", set_as_current=False)

    @app.task(name="tests.echo_request_id")
    def echo_request_id():
        return request_id_get()

    def view(request):
        echo_request_id.apply_async()
        return HttpResponse("queued")

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-77"))
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("celery")
        try:
            message = queue.get(timeout=1)
            assert message.headers["motcua_request_id"] == "req-77"
            # What a worker does with the message: build the request, run the task.
            assert Request(message, app=app, task=echo_request_id).execute() == "req-77"
        finally:
            queue.close()
    assert request_id_get() == "-"


def test_a_task_queued_outside_a_request_carries_no_id():
    from celery import Celery

    app = Celery("request-id-test-2", broker="memory://", set_as_current=False)

    @app.task(name="tests.nothing")
    def nothing():
        return None

    nothing.apply_async()
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("celery")
        try:
            assert "motcua_request_id" not in queue.get(timeout=1).headers
        finally:
            queue.close()


def test_log_format_json_makes_the_console_print_json_lines():
    result = run_django(
        "import logging\nlogging.getLogger('motcua.test').warning('xin chào')\n", LOG_FORMAT="json"
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "xin chào"
    assert line["request_id"] == "-"
    assert line["level"] == "WARNING"


def test_plain_log_format_shows_the_request_id():
    result = run_django(
        "import logging\nlogging.getLogger('motcua.test').warning('plain')\n", LOG_FORMAT="plain"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("WARNING motcua.test [-] plain")


# --- Sentry ---------------------------------------------------------------------------------


def test_sentry_is_off_without_a_dsn():
    result = run_django(
        "import sentry_sdk\nprint(sentry_sdk.get_client().is_active())\n", SENTRY_DSN=""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_sentry_starts_without_personal_data_when_a_dsn_is_set():
    # The DSN points at a closed loopback port; no event is sent by starting up.
    result = run_django(
        "import sentry_sdk\nc = sentry_sdk.get_client()\n"
        "print(c.is_active(), c.dsn, c.options['send_default_pii'], "
        "c.options['environment'])\n",
        SENTRY_DSN="http://public@127.0.0.1:1/7",
        SENTRY_ENVIRONMENT="staging",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True http://public@127.0.0.1:1/7 False staging"
