"""Reads of the synchronisation: what the mapping is made of, what officers see, and what
the reports count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.module_loading import import_string

from dossiers.access import officer_dossiers
from dossiers.models import Dossier, DossierEvent, DossierFile
from dvcqg import mapping
from dvcqg.links import file_link
from dvcqg.models import Service, SyncRow, SyncState
from portal.models import Membership

S = Dossier.Status


def payment_channel(dossier: Dossier) -> str:
    """DuocThanhToanTrucTuyen: DVCQG_PAYMENT_CHANNEL (a function dossier -> "0".."3", by
    dotted path, which an app that knows how the fee was paid may provide), else the built-in
    guess ("3" nothing owed or paid at the counter, "0" unknown)."""
    path = getattr(settings, "DVCQG_PAYMENT_CHANNEL", "")
    resolver: Callable[[Dossier], str] = (
        import_string(path) if path else mapping.payment_channel_default
    )
    value = str(resolver(dossier))
    return value if value in {"0", "1", "2", "3"} else mapping.PAID_UNKNOWN


def _terminal_at(dossier: Dossier, status: str) -> Any:
    return (
        DossierEvent.objects.filter(dossier=dossier, to_status=status, kind="transition")
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )


def dossier_facts(dossier: Dossier) -> mapping.DossierFacts:
    dossier = Dossier.objects.select_related("procedure__field", "unit", "handling_unit").get(
        pk=dossier.pk
    )
    files = list(dossier.files.order_by("id"))
    submitted = [
        mapping.FileItem(id=f.pk, name=f.original_name, url=file_link(f.pk))
        for f in files
        if f.kind in (DossierFile.Kind.SUBMISSION, DossierFile.Kind.SUPPLEMENT)
    ]
    results = [
        mapping.FileItem(id=f.pk, name=f.original_name, url=file_link(f.pk))
        for f in files
        if f.kind == DossierFile.Kind.RESULT
    ]
    supplements = [
        mapping.SupplementItem(
            id=s.pk,
            requested_by=str(s.requested_by.get_full_name() or s.requested_by.get_username()),
            content="; ".join(
                [s.reason, *(d.name for d in s.documents.all().order_by("order", "id"))]
            ),
            requested_at=s.requested_at,
            answered_at=s.answered_at,
        )
        for s in dossier.supplement_requests.select_related("requested_by")
    ]
    fees = [mapping.FeeItem(name="Phí, lệ phí", amount=dossier.fee_vnd)] if dossier.fee_vnd else []
    procedure = dossier.procedure
    return mapping.DossierFacts(
        dossier=dossier,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        field_code=procedure.field.slug if procedure.field_id else "",
        field_name=procedure.field.name if procedure.field_id else "",
        receiving_unit=dossier.unit.name,
        handling_unit=dossier.handling_unit.name,
        submitted_files=submitted,
        result_files=results,
        supplements=supplements,
        fees=fees,
        refused_at=_terminal_at(dossier, S.REFUSED) if dossier.status == S.REFUSED else None,
        stopped_at=_terminal_at(dossier, S.STOPPED) if dossier.status == S.STOPPED else None,
        payment_channel=payment_channel(dossier),
    )


def dossier_record(dossier: Dossier) -> dict[str, Any]:
    return mapping.dossier_record(dossier_facts(dossier))


def progress_items(rows: list[SyncRow]) -> list[dict[str, str]]:
    """The CapNhatTienDoHoSoMC items of progress rows (one dossier's), in their order."""
    if not rows:
        return []
    events = {
        e.pk: e
        for e in DossierEvent.objects.filter(pk__in=[r.event_id for r in rows]).select_related(
            "actor", "unit", "dossier"
        )
    }
    titles = {
        (m.user_id, m.unit_id): str(m.get_role_display())
        for m in Membership.objects.filter(
            user_id__in={e.actor_id for e in events.values() if e.actor_id}
        )
    }
    items = []
    for row in rows:
        event = events[row.event_id]
        actor = event.actor_label or (
            str(event.actor.get_full_name() or event.actor.get_username()) if event.actor else ""
        )
        items.append(
            mapping.progress_item(
                code=event.dossier.code,
                event=event,
                actor=actor,
                title=titles.get((event.actor_id, event.unit_id), ""),
                department=event.unit.name if event.unit else "",
                due_at=event.dossier.due_at,
            )
        )
    return items


# --- What officers see ---------------------------------------------------------------------


def unacknowledged(
    *, user: AbstractBaseUser, state: str = "", search: str = ""
) -> QuerySet[SyncRow]:
    """The sync rows DVCQG has not acknowledged, of the dossiers in the officer's scope."""
    rows = (
        SyncRow.objects.exclude(state=SyncState.ACKNOWLEDGED)
        .filter(dossier__in=officer_dossiers(user=user))
        .select_related("dossier", "event")
        .order_by("dossier__code", "service", "event_seq")
    )
    if state in SyncState.values:
        rows = rows.filter(state=state)
    if search:
        rows = rows.filter(dossier__code__icontains=search)
    return rows


def dossier_sync_state(dossier: Dossier) -> dict[str, Any]:
    """The dossier's synchronisation in a few numbers, for its page."""
    rows = list(SyncRow.objects.filter(dossier=dossier).order_by("service", "event_seq"))
    head = next((r for r in rows if r.service == Service.DOSSIER), None)
    pending = [r for r in rows if r.state != SyncState.ACKNOWLEDGED]
    return {
        "tracked": bool(rows),
        "head": head,
        "acknowledged": sum(
            1 for r in rows if r.service == Service.PROGRESS and r.state == SyncState.ACKNOWLEDGED
        ),
        "events": sum(1 for r in rows if r.service == Service.PROGRESS),
        "pending": pending,
        "errors": [r for r in pending if r.state == SyncState.ERROR or r.last_error],
    }


# --- What the reports count ----------------------------------------------------------------


def dossier_held_exists() -> Exists:
    """For reports: Exists() of the outer dossier_id being held by the national portal: its
    DongBoHoSoMC row was acknowledged at least once (`held` stays true when a later change
    waits to be sent)."""
    return Exists(
        SyncRow.objects.filter(dossier_id=OuterRef("dossier_id"), service=Service.DOSSIER).filter(
            Q(held=True) | Q(acknowledged_at__isnull=False)
        )
    )
