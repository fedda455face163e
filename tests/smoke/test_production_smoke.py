"""Production smoke test: gunicorn (2 workers), a Celery worker and Celery beat run as in
production (DEBUG=0, PostgreSQL, Redis, the Twilio backend against the local fake); over HTTP
a citizen submits a dossier with a PDF (solving the captcha), an officer receives it through
the API, and both SMS reach the fake Twilio; then everything stops cleanly on SIGTERM.

Runs only with PostgreSQL (the processes share the test database) and REDIS_URL; it uses
Redis database 11 of that server (MOTCUA_SMOKE_REDIS_URL overrides).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from notifications.models import SmsMessage
from tests.fakes.twilio import FakeTwilio
from tests.smoke.stack import (
    Stack,
    multipart,
    pdf_bytes,
    redis_db_url,
    request,
    request_json,
    stack_env,
)

pytestmark = [pytest.mark.smoke]

PHONE = "0912 345 678"
PHONE_E164 = "+84912345678"


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def smoke_redis_url() -> str:
    return os.environ.get("MOTCUA_SMOKE_REDIS_URL") or redis_db_url(settings.REDIS_URL, 11)


@pytest.fixture
def stack(transactional_db, tmp_path) -> Iterator[tuple[Stack, FakeTwilio]]:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("the smoke test needs PostgreSQL (DATABASE_URL) and REDIS_URL")
    import redis

    broker = smoke_redis_url()
    redis.Redis.from_url(broker).flushdb()  # our own database: leftovers of an aborted run
    with FakeTwilio() as fake:
        stack = Stack(
            env=stack_env(
                database_url=_database_url(), redis_url=broker, twilio_url=fake.url, tmp=tmp_path
            ),
            tmp=tmp_path,
        )
        try:
            yield stack, fake
        finally:
            stack.stop_all()  # after a failure: never leave processes behind


def _submit(stack: Stack, procedure, unit) -> tuple[int, dict]:
    from captcha.models import CaptchaStore

    status, captcha = request_json("GET", stack.url + "/api/v1/captcha/")
    assert status == 200, captcha
    assert captcha["image_url"].startswith("http://127.0.0.1")
    # A test may read the answer where the server keeps it.
    answer = CaptchaStore.objects.get(hashkey=captcha["key"]).response
    fields = {
        "procedure": procedure.code,
        "unit": unit.code,
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "012345678901",
        "applicant_phone": PHONE,
        "applicant_address": "Bản Nà Bó, xã Mường Khoa",
        "delivery": "counter",
        "payment_method": "none",
        "declaration": "true",
        "captcha_key": captcha["key"],
        "captcha_value": answer,
    }
    files = {
        f"document_{d.pk}": (f"giay-to-{d.pk}.pdf", pdf_bytes(50_000), "application/pdf")
        for d in procedure.documents.all()
    }
    body, content_type = multipart(fields, files)
    status, headers, raw = request(
        "POST",
        stack.url + "/api/v1/dossiers/",
        body=body,
        headers={
            "Content-Type": content_type,
            "Accept": "application/json",
            "X-Request-ID": "smoke-submit-1",
        },
    )
    assert headers.get("x-request-id") == "smoke-submit-1"
    assert "content-security-policy" in headers
    import json

    return status, json.loads(raw)


def test_a_dossier_goes_from_submission_to_reception_with_its_sms(
    stack, commune, birth_registration, officer
):
    stack_, fake = stack
    stack_.start_web(workers=2)
    stack_.start_worker("worker", concurrency=2)
    stack_.start_beat()
    stack_.wait_ready(timeout=45)

    status, ready = request_json("GET", stack_.url + "/readyz")
    assert status == 200, ready
    assert ready["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}

    # The citizen submits online, with a PDF per document, the captcha solved.
    status, body = _submit(stack_, birth_registration, commune)
    assert status == 201, body
    code = body["code"]
    assert (body["status"], body["status_code"]) == ("submitted", 1)

    # The worker sends the code and the update key to the fake Twilio.
    [first] = fake.wait_for(1, to=PHONE_E164, timeout=30)
    assert code in first.form["Body"]
    key = re.search(r"Mã tra cứu[^:]*: ([A-Z0-9]{8,})", first.form["Body"]).group(1)
    status, doc = request_json("GET", f"{stack_.url}/api/v1/dossiers/{code}/status/?key={key}")
    assert status == 200, doc
    assert doc["status"] == "submitted"
    assert doc["applicant"] == "Nguyễn Văn An"  # the key shows everything
    # Asked again, the same answer (from the document cached under the dossier's stamp).
    again_status, again = request_json(
        "GET", f"{stack_.url}/api/v1/dossiers/{code}/status/?key={key}"
    )
    assert (again_status, again) == (status, doc)

    # The officer takes a token and receives the dossier through the API.
    status, token = request_json(
        "POST",
        stack_.url + "/api/v1/auth/token/",
        data={"username": "officer", "password": "pw-officer"},
    )
    assert status == 200, token
    auth = {"Authorization": f"Token {token['token']}"}
    status, received = request_json(
        "POST",
        f"{stack_.url}/api/v1/officer/dossiers/{code}/actions/",
        data={"action": "receive"},
        headers=auth,
    )
    assert status == 200, received
    assert received["status"] == "received"
    assert received["due_at"]
    # The citizen's look-up shows the reception at once.
    status, doc = request_json("GET", f"{stack_.url}/api/v1/dossiers/{code}/status/?key={key}")
    assert (status, doc["status"]) == (200, "received")
    status, listed = request_json("GET", stack_.url + "/api/v1/officer/dossiers/", headers=auth)
    assert status == 200
    assert [row["code"] for row in listed["results"]] == [code]

    # The "received" SMS follows.
    messages = fake.wait_for(2, to=PHONE_E164, timeout=30)
    assert code in messages[1].form["Body"]
    deadline = time.monotonic() + 20
    while SmsMessage.objects.filter(status=SmsMessage.Status.SENT).count() < 2:
        assert time.monotonic() < deadline, list(SmsMessage.objects.values("status", "body"))
        time.sleep(0.1)
    assert len(fake.messages()) == 2  # nothing sent twice

    # Everything stops on SIGTERM, with exit code 0 and no process left behind.
    results = stack_.stop_all()
    assert results == {
        "web": (0, False),
        "worker": (0, False),
        "beat": (0, False),
    }, results
