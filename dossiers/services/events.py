"""The append-only, hash-chained event log of a dossier."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from dossiers.models import Dossier, DossierEvent


def event_digest(
    *,
    code: str,
    seq: int,
    kind: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    at: datetime,
    note: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of the event's content and the previous event's hash."""
    # The instant in UTC: a datetime read back from the database is in UTC whatever zone it
    # was written with, and the digest must not depend on that.
    instant = at.astimezone(UTC).isoformat()
    payload = json.dumps(
        [code, seq, kind, from_status, to_status, actor_id, instant, note, details, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_append(
    *,
    dossier: Dossier,
    to_status: str,
    from_status: str = "",
    kind: str = "transition",
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    unit_id: int | None = None,
    at: datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> DossierEvent:
    """Append one event. The caller holds the dossier's row lock, so seq is race-free."""
    details = json.loads(json.dumps(details or {}, default=str))
    last = (
        DossierEvent.objects.filter(dossier=dossier).order_by("-seq").values("seq", "hash").first()
    )
    seq = (last["seq"] + 1) if last else 1
    prev_hash = last["hash"] if last else ""
    actor_id = actor.pk if actor is not None else None
    digest = event_digest(
        code=dossier.code,
        seq=seq,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor_id,
        at=at,
        note=note,
        details=details,
        prev_hash=prev_hash,
    )
    return DossierEvent.objects.create(
        dossier=dossier,
        seq=seq,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor_id,
        actor_label=actor_label or (str(actor) if actor else ""),
        unit_id=unit_id,
        at=at,
        note=note,
        details=details,
        prev_hash=prev_hash,
        hash=digest,
    )


def event_chain_verify(*, dossier: Dossier) -> list[str]:
    """Problems found in one dossier's chain; an empty list means it is intact."""
    problems: list[str] = []
    prev_hash = ""
    expected_seq = 1
    for ev in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        if ev.seq != expected_seq:
            problems.append(
                f"{dossier.code}: event #{ev.seq} out of sequence (expected #{expected_seq})"
            )
        if ev.prev_hash != prev_hash:
            problems.append(f"{dossier.code}: event #{ev.seq} does not link to the previous one")
        digest = event_digest(
            code=dossier.code,
            seq=ev.seq,
            kind=ev.kind,
            from_status=ev.from_status,
            to_status=ev.to_status,
            actor_id=ev.actor_id,
            at=ev.at,
            note=ev.note,
            details=ev.details,
            prev_hash=ev.prev_hash,
        )
        if digest != ev.hash:
            problems.append(f"{dossier.code}: event #{ev.seq} (id {ev.pk}) was altered")
        prev_hash = ev.hash
        expected_seq = ev.seq + 1
    return problems
