"""The keyed event chain finds what the unkeyed one missed: a removed tail, edits of any
column, a status changed without an event, and a chain rebuilt without the key; the audit log
is chained the same way."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent
from dossiers.services.events import event_chain_verify, event_chains_rebuild, event_digest
from portal.audit import audit_chain_verify
from portal.models import AuditChainHead, AuditLog
from tests.dossiers.conftest import S, dossier_in_state


@pytest.fixture
def dossier(birth_registration, commune, admin_officer):
    return dossier_in_state(
        S.RETURNED, procedure=birth_registration, unit=commune, actor=admin_officer
    )


def verify_fails(needle: str = "") -> str:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_events", stdout=out, stderr=out)
    assert needle in out.getvalue()
    return out.getvalue()


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


EVENTS = DossierEvent._meta.db_table
DOSSIERS = Dossier._meta.db_table


def delete_event(event: DossierEvent) -> None:
    # Rows of other apps that point at the event (e.g. SMS outbox) go first.
    for rel in DossierEvent._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and rel.related_model is not None:
            table, column = rel.related_model._meta.db_table, rel.field.column
            sql(f"DELETE FROM {table} WHERE {column} = %s", [event.pk])  # noqa: S608
    sql(f"DELETE FROM {EVENTS} WHERE id = %s", [event.pk])  # noqa: S608


def test_an_intact_dossier_and_audit_log_pass(dossier):
    AuditLog.objects.create(action="test", target="x", details={"b": 1, "a": [1, 2]})
    assert event_chain_verify(dossier=Dossier.objects.get(pk=dossier.pk)) == []
    assert audit_chain_verify() == []
    out = io.StringIO()
    call_command("verify_events", stdout=out, stderr=out)
    assert "1 dossier(s)" in out.getvalue()


def test_deleting_the_last_event_is_found(dossier):
    delete_event(DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first())
    verify_fails(f"{dossier.code}: the dossier's seal does not match")


@pytest.mark.parametrize(
    ("column", "value"), [("actor_label", "Người khác"), ("unit_id", None), ("kind", "x")]
)
def test_editing_any_column_is_found(dossier, column, value):
    victim = DossierEvent.objects.filter(dossier=dossier).order_by("seq")[1]
    sql(f"UPDATE {EVENTS} SET {column} = %s WHERE id = %s", [value, victim.pk])  # noqa: S608
    verify_fails(f"{dossier.code}: event #{victim.seq} (id {victim.pk}) was altered")


def test_a_status_changed_without_an_event_is_found(dossier):
    sql(f"UPDATE {DOSSIERS} SET status = %s WHERE id = %s", [S.PROCESSING, dossier.pk])  # noqa: S608
    verify_fails(f"{dossier.code}: status {S.PROCESSING} disagrees with the last event")


def _plain_sha256(ev: DossierEvent, code: str, prev_hash: str) -> str:
    """The old, unkeyed digest anyone could recompute."""
    payload = json.dumps(
        [
            code,
            ev.seq,
            ev.kind,
            ev.from_status,
            ev.to_status,
            ev.actor_id,
            ev.at.astimezone(UTC).isoformat(),
            ev.note,
            ev.details,
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def test_a_rewritten_chain_recomputed_without_the_key_is_found(dossier):
    prev = ""
    for ev in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        if ev.seq == 2:
            ev.note = "ghi chú viết lại"
        digest = _plain_sha256(ev, dossier.code, prev)
        sql(
            f"UPDATE {EVENTS} SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
            [ev.note, prev, digest, ev.pk],
        )
        prev = digest
    verify_fails("was altered")


def test_a_chain_recomputed_with_another_key_is_found(dossier, settings):
    victim = DossierEvent.objects.filter(dossier=dossier).order_by("seq")[1]
    sql(f"UPDATE {EVENTS} SET note = %s WHERE id = %s", ["sửa", victim.pk])  # noqa: S608
    real_key = settings.EVENT_CHAIN_KEY
    settings.EVENT_CHAIN_KEY = "a guess"
    event_chains_rebuild()
    settings.EVENT_CHAIN_KEY = real_key
    verify_fails("was altered")


def test_rebuilding_makes_an_old_chain_verifiable(dossier):
    """What the migration does to events written under the unkeyed rule."""
    prev = ""
    for ev in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        digest = _plain_sha256(ev, dossier.code, prev)
        sql(f"UPDATE {EVENTS} SET hash = %s WHERE id = %s", [digest, ev.pk])  # noqa: S608
        prev = digest
    sql(f"UPDATE {DOSSIERS} SET event_seal = '' WHERE id = %s", [dossier.pk])  # noqa: S608
    assert event_chain_verify(dossier=Dossier.objects.get(pk=dossier.pk))
    assert event_chains_rebuild() == 1
    assert event_chain_verify(dossier=Dossier.objects.get(pk=dossier.pk)) == []


def test_the_digest_covers_the_actor_label_and_unit():
    base = {
        "code": "X",
        "seq": 1,
        "kind": "k",
        "from_status": "",
        "to_status": "s",
        "actor_id": None,
        "actor_label": "A",
        "unit_id": 1,
        "at": timezone.now(),
        "note": "",
        "details": {},
        "prev_hash": "",
    }
    assert event_digest(**base) != event_digest(**(base | {"actor_label": "B"}))
    assert event_digest(**base) != event_digest(**(base | {"unit_id": 2}))


def test_audit_rows_are_chained_and_a_removed_tail_or_edit_is_found(db):
    for n in range(3):
        AuditLog.objects.create(action="officer_login_failed", target=f"u{n}")
    assert [r.seq for r in AuditLog.objects.order_by("seq")] == [1, 2, 3]
    assert audit_chain_verify() == []
    table = AuditLog._meta.db_table
    middle = AuditLog.objects.get(seq=2)
    sql(f"UPDATE {table} SET target = %s WHERE id = %s", ["khác", middle.pk])  # noqa: S608
    assert any("row #2" in p and "altered" in p for p in audit_chain_verify())
    sql(f"UPDATE {table} SET target = %s WHERE id = %s", ["u1", middle.pk])  # noqa: S608
    assert audit_chain_verify() == []
    last = AuditLog.objects.get(seq=3)
    sql(f"DELETE FROM {table} WHERE id = %s", [last.pk])  # noqa: S608
    assert any("does not seal the last row" in p for p in audit_chain_verify())
    verify_fails("audit log: the head")
    assert AuditChainHead.objects.get().seq == 3
