"""schemathesis against /api/schema/, in-process through the WSGI application: for every
operation of the published OpenAPI document, generated requests (valid by the schema, then
invalid) never get a server error (5xx), and every error answer is JSON.

Bounded: a few examples per operation and mode (MOTCUA_FUZZ_EXAMPLES, default 6); every
operation gets its valid (positive) examples, and the invalid (negative) ones run while the
time budget lasts (MOTCUA_FUZZ_BUDGET seconds from the start, default 60; the test prints how
many operations each mode covered). Requests carry an administrator's token so the officers'
endpoints are exercised past authentication; throttles are reset before each request.

The operations are walked in one test (rather than schemathesis' pytest plugin, whose lazy
loader does not run on this pytest version) with hypothesis' own @given per operation.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from portal.models import Membership, Role

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "6"))
BUDGET = float(os.environ.get("MOTCUA_FUZZ_BUDGET", "60"))

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes "unusable" connections around each request; inside the
    test's transaction (autocommit off) that would close it on PostgreSQL. Django's own test
    client disconnects the same signal handler while it runs a request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(district) -> str:
    user = get_user_model().objects.create_user(username="fuzz-admin", password="x")
    Membership.objects.create(user=user, unit=district, role=Role.ADMIN)
    return Token.objects.create(user=user).key


def _json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _fuzz(operation, mode, token: str, failures: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        cache.clear()
        response = case.call(headers={"Authorization": f"Token {token}"})
        if response.status_code >= 500 or (
            response.status_code >= 400 and not _json(response.text)
        ):
            failures.append(
                f"{case.method} {case.formatted_path} ({mode.value}) → "
                f"{response.status_code}\n{case.as_curl_command()}\n"
                f"{response.text[:1000]}"
            )

    run()


def test_no_operation_answers_with_a_server_error(
    district, commune, birth_registration, admin_token, settings
):
    from django.core.wsgi import get_wsgi_application

    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, [op.label for op in operations]
    started = time.monotonic()
    failures: list[str] = []
    done: dict[str, list[str]] = {}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            # Every operation gets its valid examples; the budget bounds the invalid ones.
            if mode == GenerationMode.NEGATIVE and time.monotonic() - started > BUDGET:
                break
            try:
                _fuzz(operation, mode, admin_token, failures)
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (no parameters, no body).
                assert mode == GenerationMode.NEGATIVE, operation.label
            done.setdefault(mode.value, []).append(operation.label)
    counts = {mode: len(labels) for mode, labels in done.items()}
    print(f"fuzzed {counts} of {len(operations)} operations")
    assert not failures, "\n\n".join(failures)
    assert len(done.get("positive", [])) == len(operations)
