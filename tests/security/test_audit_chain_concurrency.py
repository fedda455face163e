"""Audit rows written at the same time still make one unbroken chain (PostgreSQL row lock on
the chain's head)."""

from __future__ import annotations

import pytest

from portal.audit import audit_chain_verify
from portal.models import AuditLog
from tests.concurrency import POSTGRES_ONLY, run_in_threads

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_concurrent_audit_rows_make_one_chain():
    results = run_in_threads(
        8, lambda i: AuditLog.objects.create(action="officer_login_failed", target=f"u{i}")
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(AuditLog.objects.values_list("seq", flat=True)) == list(range(1, 9))
    assert audit_chain_verify() == []
