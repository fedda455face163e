"""The append-only event log of a dossier, chained with a key kept outside the database
(portal.chain).

Each event's digest covers every column of the event and the previous event's digest; the
dossier keeps a seal of its last event (sequence, digest) and its status. So
`event_chain_verify` finds an edited, inserted or removed event, a removed tail, and a status
changed without an event.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from dossiers.models import Dossier, DossierEvent
from portal.chain import chain_digest, chain_seal, digests_equal


def event_digest(
    *,
    code: str,
    seq: int,
    kind: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    actor_label: str,
    unit_id: int | None,
    at: datetime,
    note: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """The keyed digest of one event's content and the previous event's digest."""
    return chain_digest(
        "event",
        code,
        seq,
        kind,
        from_status,
        to_status,
        actor_id,
        actor_label,
        unit_id,
        at,
        note,
        details,
        prev_hash,
    )


def _row_digest(code: str, event: Any) -> str:
    """event_digest of an event row as it stands (its prev_hash included)."""
    return event_digest(
        code=code,
        seq=event.seq,
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        unit_id=event.unit_id,
        at=event.at,
        note=event.note,
        details=event.details,
        prev_hash=event.prev_hash,
    )


def event_seal(*, code: str, seq: int, digest: str, status: str) -> str:
    """The dossier's seal of its last event and its status."""
    return chain_seal(chain=code, seq=seq, digest=digest, extra=status)


def event_build(
    *,
    dossier: Dossier,
    seq: int,
    prev_hash: str,
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
    """An unsaved event with its digest (event_append saves it; the demo history bulk-creates)."""
    event = DossierEvent(
        dossier=dossier,
        seq=seq,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label or (str(actor) if actor else ""),
        unit_id=unit_id,
        at=at,
        note=note,
        details=json.loads(json.dumps(details or {}, default=str)),
        prev_hash=prev_hash,
    )
    event.hash = _row_digest(dossier.code, event)
    return event


def event_append(*, dossier: Dossier, **fields: Any) -> DossierEvent:
    """Append one event (fields as event_build takes them) and seal the dossier's head. The
    caller holds the dossier's row lock, so seq is race-free, and has saved its status."""
    last = (
        DossierEvent.objects.filter(dossier=dossier).order_by("-seq").values("seq", "hash").first()
    )
    event = event_build(
        dossier=dossier,
        seq=(last["seq"] + 1) if last else 1,
        prev_hash=last["hash"] if last else "",
        **fields,
    )
    event.save(force_insert=True)
    dossier.event_seal = event_seal(
        code=dossier.code, seq=event.seq, digest=event.hash, status=event.to_status
    )
    Dossier.objects.filter(pk=dossier.pk).update(event_seal=dossier.event_seal)
    return event


def event_chain_verify(*, dossier: Dossier) -> list[str]:
    """Problems found in one dossier's chain; an empty list means it is intact."""
    problems: list[str] = []
    prev_hash = ""
    expected_seq = 1
    last: DossierEvent | None = None
    for ev in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        if ev.seq != expected_seq:
            problems.append(
                f"{dossier.code}: event #{ev.seq} out of sequence (expected #{expected_seq})"
            )
        if ev.prev_hash != prev_hash:
            problems.append(f"{dossier.code}: event #{ev.seq} does not link to the previous one")
        if not digests_equal(_row_digest(dossier.code, ev), ev.hash):
            problems.append(f"{dossier.code}: event #{ev.seq} (id {ev.pk}) was altered")
        prev_hash = ev.hash
        expected_seq = ev.seq + 1
        last = ev
    if last is None:
        return [f"{dossier.code}: has no events"]
    if last.to_status != dossier.status:
        problems.append(
            f"{dossier.code}: status {dossier.status} disagrees with the last event "
            f"#{last.seq} ({last.to_status})"
        )
    seal = event_seal(code=dossier.code, seq=last.seq, digest=last.hash, status=dossier.status)
    if not digests_equal(seal, dossier.event_seal):
        problems.append(
            f"{dossier.code}: the dossier's seal does not match its last event #{last.seq} "
            "and status (events removed from the end, or the status changed)"
        )
    return problems


def event_chains_rebuild(*, dossier_model: Any = Dossier, event_model: Any = DossierEvent) -> int:
    """Digest every event again with the current key and re-seal every dossier: for rows
    written under an older rule, or after the key changed. Run `verify_events` under the old
    rule first: this makes whatever is stored the new truth. The number of dossiers."""
    count = 0
    for dossier in dossier_model.objects.order_by("pk").iterator(chunk_size=500):
        prev_hash, last = "", None
        for ev in event_model.objects.filter(dossier_id=dossier.pk).order_by("seq"):
            ev.prev_hash = prev_hash
            ev.hash = _row_digest(dossier.code, ev)
            event_model.objects.filter(pk=ev.pk).update(prev_hash=ev.prev_hash, hash=ev.hash)
            prev_hash, last = ev.hash, ev
        seal = (
            event_seal(code=dossier.code, seq=last.seq, digest=last.hash, status=dossier.status)
            if last is not None
            else ""
        )
        dossier_model.objects.filter(pk=dossier.pk).update(event_seal=seal)
        count += 1
    return count
