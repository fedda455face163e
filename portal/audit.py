"""The audit log's chain (portal.models.AuditLog): each row's keyed digest covers every column
and the previous row's digest, and AuditChainHead seals the last row, so an edited, inserted
or removed row, or a removed tail, is found by `manage.py verify_events` (portal.chain).

Appends take the head's row lock: audit rows are written one at a time, in the writer's
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.chain import chain_digest, chain_seal, digests_equal
from portal.models import AuditChainHead, AuditLog

CHAIN = "audit"
HEAD_ID = 1


def _row_digest(row: Any, *, prev_hash: str) -> str:
    """The digest of an audit row's columns, linked to `prev_hash`."""
    columns = (row.seq, row.at, row.actor_id, row.action, row.target, row.details)
    return chain_digest(CHAIN, *columns, prev_hash)


def _head_locked() -> AuditChainHead:
    AuditChainHead.objects.get_or_create(pk=HEAD_ID)
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)


@transaction.atomic
def audit_append(
    *,
    action: str,
    actor: Any = None,
    target: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Write one audit row at the end of the chain and seal the new head."""
    head = _head_locked()
    row = AuditLog(
        seq=head.seq + 1,
        at=at or timezone.now(),
        actor=actor,
        action=action,
        target=str(target)[:200],
        details=json.loads(json.dumps(details or {}, default=str)),
        prev_hash=head.hash,
    )
    row.hash = _row_digest(row, prev_hash=row.prev_hash)
    row.save(force_insert=True)
    head.seq, head.hash = row.seq, row.hash
    head.seal = chain_seal(chain=CHAIN, seq=row.seq, digest=row.hash)
    head.save(update_fields=["seq", "hash", "seal"])
    return row


def audit_chain_verify(rows: Iterable[AuditLog] | None = None) -> list[str]:
    """Problems found in the audit log's chain; an empty list means it is intact."""
    problems: list[str] = []
    prev_hash = ""
    expected = 1
    if rows is None:
        rows = AuditLog.objects.order_by("seq").iterator(chunk_size=2000)
    for row in rows:
        if row.seq != expected:
            problems.append(f"audit log: row #{row.seq} out of sequence (expected #{expected})")
        if row.prev_hash != prev_hash:
            problems.append(f"audit log: row #{row.seq} does not link to the previous one")
        if not digests_equal(_row_digest(row, prev_hash=row.prev_hash), row.hash):
            problems.append(f"audit log: row #{row.seq} (id {row.pk}) was altered")
        prev_hash, expected = row.hash, row.seq + 1
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    last_seq = expected - 1
    seal = chain_seal(chain=CHAIN, seq=last_seq, digest=prev_hash)
    if head is None:
        if last_seq:
            problems.append("audit log: the chain's head is missing")
    elif head.seq != last_seq or not digests_equal(head.seal, seal):
        problems.append(
            f"audit log: the head (#{head.seq}) does not seal the last row (#{last_seq}): "
            "rows removed from the end, or the head edited"
        )
    return problems


@transaction.atomic
def audit_chain_rebuild(*, log_model: Any = AuditLog, head_model: Any = AuditChainHead) -> int:
    """Digest every audit row again, in sequence, with the current key, and seal the head
    (for rows written before the chain, or after the key changed). The row count."""
    prev_hash, seq = "", 0
    for row in log_model.objects.order_by("seq").iterator(chunk_size=2000):
        digest = _row_digest(row, prev_hash=prev_hash)
        log_model.objects.filter(pk=row.pk).update(prev_hash=prev_hash, hash=digest)
        prev_hash, seq = digest, row.seq
    head_model.objects.update_or_create(
        pk=HEAD_ID,
        defaults={
            "seq": seq,
            "hash": prev_hash,
            "seal": chain_seal(chain=CHAIN, seq=seq, digest=prev_hash),
        },
    )
    return seq
