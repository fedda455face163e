"""The officers' actions on a dossier (DOMAIN.md §4; the actions table of API.md).

Each action is an entry point: it owns its transaction (`atomic(durable=True)`), checks the
actor's role over the dossier, validates its input, then calls `dossier_transition` (the only
writer of `status`) with `expected_from`, the states the action accepts. A move the current
state does not allow raises InvalidTransition (409) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.access import (
    officer_assert_can,
    officer_can,
)
from dossiers.actions import ACTIONS
from dossiers.deadlines import apology_is_late, handover_punctuality, new_due_time_check
from dossiers.models import (
    Apology,
    Dossier,
    DossierFile,
    Handover,
    SupplementRequest,
)
from dossiers.services.core import (
    IncomingFile,
    dossier_file_store,
    dossier_lock_with_due,
    dossier_record,
    officer_transition,
)
from dossiers.services.inputs import required_text
from dossiers.services.returning import dossier_return  # noqa: F401  (its callers import it here)
from dossiers.transitions import transfer_targets
from portal.exceptions import InvalidTransition, NotAllowed
from portal.models import AuditLog, Membership
from procedures.models import Unit

S = Dossier.Status
User = AbstractBaseUser


# --- Reception ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def dossier_receive(
    *, dossier: Dossier, actor: User, note: str = "", at: datetime | None = None
) -> Dossier:
    """Accept an online dossier: `received`, the due time is fixed and the clock starts."""
    officer_assert_can(user=actor, dossier=dossier, action="receive")
    if not dossier.received_documents:
        # Online: what arrived is what the citizen attached, one entry per document.
        docs = {
            f.document_id: f.document
            for f in dossier.files.select_related("document")
            if f.document_id and f.kind == DossierFile.Kind.SUBMISSION
        }
        received = [
            {"document_id": d.pk, "name": d.name, "originals": d.originals, "copies": d.copies}
            for d in sorted(docs.values(), key=lambda d: (d.order, d.pk))
        ]
    else:
        received = dossier.received_documents
    return officer_transition(
        ACTIONS["receive"],
        dossier=dossier,
        to=S.RECEIVED,
        actor=actor,
        at=at,
        note=note,
        changes={"received_documents": received},
    )


def dossier_receive_and_transfer(
    *,
    dossier: Dossier,
    actor: User,
    note: str = "",
    to_unit: Unit | None = None,
    to_user: User | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Reception and, when a unit is named, the hand-over to it in the same step: the desk's
    usual path (Mẫu 01, then the first row of Mẫu 05). Two transactions: a refused hand-over
    leaves the dossier received, and says why."""
    received = dossier_receive(dossier=dossier, actor=actor, note=note, at=at)
    if to_unit is None:
        return received
    return dossier_transfer(dossier=received, actor=actor, to_unit=to_unit, to_user=to_user, at=at)


@transaction.atomic(durable=True)
def dossier_refuse(
    *, dossier: Dossier, actor: User, reason: str, at: datetime | None = None
) -> Dossier:
    """Refuse an online dossier at reception (Mẫu 03), with the specific reasons."""
    return _end_for_reason("refuse", dossier=dossier, actor=actor, reason=reason, at=at)


# The actions that end a dossier for a reason the officer must give (the applicant's message
# and the slip carry it): the state each ends in, and what is said when the reason is missing.
_ENDINGS = {
    "refuse": (S.REFUSED, gettext_lazy("Vui lòng nêu rõ lý do từ chối.")),
    "stop": (S.STOPPED, gettext_lazy("Vui lòng nêu lý do dừng xử lý.")),
}


def _end_for_reason(
    action: str, *, dossier: Dossier, actor: User, reason: str, at: datetime | None
) -> Dossier:
    officer_assert_can(user=actor, dossier=dossier, action=action)
    to, missing = _ENDINGS[action]
    reason = required_text(reason, "reason", str(missing))
    return officer_transition(
        ACTIONS[action],
        dossier=dossier,
        to=to,
        actor=actor,
        at=at,
        note=reason,
        details={"reason": reason},
        notify_context={"reason": reason},
    )


# --- Supplement -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def dossier_request_supplement(
    *,
    dossier: Dossier,
    actor: User,
    document_ids: Sequence[int],
    reason: str,
    override_note: str = "",
    at: datetime | None = None,
) -> SupplementRequest:
    """Ask for every missing item at once (Mẫu 02); the clock pauses.

    Items come only from the procedure's published list. One request per agency: a second
    request by the same agency needs a head of unit's override with a note, recorded on the
    request and in the audit log.
    """
    officer_assert_can(user=actor, dossier=dossier, action="request_supplement")
    at = at or timezone.now()
    reason = required_text(reason, "reason", _("Vui lòng nêu lý do yêu cầu bổ sung."))
    ids = {int(pk) for pk in document_ids}
    if not ids:
        raise ValidationError({"items": _("Chọn ít nhất một giấy tờ cần bổ sung.")})
    documents = list(dossier.procedure.documents.filter(pk__in=ids))
    if len(documents) != len(ids):
        raise ValidationError(
            {
                "items": _(
                    "Chỉ được yêu cầu các giấy tờ trong danh mục thành "
                    "phần hồ sơ đã công bố của thủ tục."
                )
            }
        )
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    agency_id = locked.handling_unit_id
    earlier = SupplementRequest.objects.filter(dossier=locked, unit_id=agency_id).exists()
    override_by = None
    if earlier:
        if not officer_can(user=actor, dossier=locked, action="override_supplement"):
            raise NotAllowed(
                _("Cơ quan đã yêu cầu bổ sung một lần; lần thứ hai cần lãnh đạo đơn vị phê duyệt.")
            )
        override_note = required_text(
            override_note,
            "override_note",
            _("Vui lòng ghi lý do phê duyệt yêu cầu bổ sung lần hai."),
        )
        override_by = actor
    names = [d.name for d in sorted(documents, key=lambda d: (d.order, d.pk))]
    locked = officer_transition(
        ACTIONS["request_supplement"],
        dossier=locked,
        to=S.SUPPLEMENT_REQUESTED,
        actor=actor,
        at=at,
        note=reason,
        details={"items": names, "reason": reason, "override": bool(override_by)},
        notify_context={"items": names, "reason": reason},
    )
    request = SupplementRequest.objects.create(
        dossier=locked,
        unit_id=agency_id,
        requested_by=actor,
        requested_at=at,
        reason=reason,
        override_by=override_by,
        override_note=override_note if override_by else "",
    )
    request.documents.set(documents)
    if override_by is not None:
        AuditLog.objects.create(
            actor=actor,
            action="supplement_override",
            target=locked.code,
            details={"request": request.pk, "note": override_note, "unit": agency_id},
        )
    return request


# --- Transfer -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def dossier_transfer(
    *,
    dossier: Dossier,
    actor: User,
    to_unit: Unit,
    to_user: User | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Hand the dossier to another office or officer at once; a row of Mẫu 05 is logged."""
    officer_assert_can(user=actor, dossier=dossier, action="transfer")
    at = at or timezone.now()
    if not transfer_targets(dossier=dossier).filter(pk=to_unit.pk).exists():
        raise ValidationError({"to_unit": _("Không thể chuyển hồ sơ tới đơn vị này.")})
    if to_user is not None and not Membership.objects.filter(user=to_user, unit=to_unit).exists():
        raise ValidationError({"to_user": _("Cán bộ nhận không thuộc đơn vị nhận.")})
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    from_unit_id = locked.handling_unit_id
    moved = officer_transition(
        ACTIONS["transfer"],
        dossier=locked,
        to=S.PROCESSING,
        actor=actor,
        at=at,
        note=note,
        changes={"handling_unit": to_unit, "assigned_to": to_user},
        details={
            "from_unit": from_unit_id,
            "to_unit": to_unit.pk,
            "to_user": to_user.pk if to_user else None,
        },
        notify=False,
    )
    Handover.objects.create(
        dossier=moved,
        from_unit_id=from_unit_id,
        to_unit=to_unit,
        from_user=actor,
        to_user=to_user,
        given_at=at,
        received_at=at,
        step_due_at=moved.due_at,
        punctuality=handover_punctuality(given_at=at, due=moved.due_at),
        note=note,
    )
    return moved


# --- Payment --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def dossier_request_payment(
    *, dossier: Dossier, actor: User, amount_vnd: int, at: datetime | None = None
) -> Dossier:
    """Ask the applicant to pay (state 6); the clock pauses. The payments app records the
    amount asked from the event (details.amount_vnd)."""
    officer_assert_can(user=actor, dossier=dossier, action="request_payment")
    at = at or timezone.now()
    if int(amount_vnd) <= 0:
        raise ValidationError({"amount_vnd": _("Số tiền phải lớn hơn 0.")})
    return officer_transition(
        ACTIONS["request_payment"],
        dossier=dossier,
        to=S.AWAITING_PAYMENT,
        actor=actor,
        at=at,
        details={"amount_vnd": int(amount_vnd)},
        notify_context={"amount_vnd": int(amount_vnd)},
    )


@transaction.atomic(durable=True)
def dossier_confirm_payment(
    *, dossier: Dossier, actor: User, method: str, reference: str = "", at: datetime | None = None
) -> Dossier:
    """The applicant has paid: back to processing, the due time moves by the pause. The
    payments app records the payment from the event (details.method, details.reference)."""
    officer_assert_can(user=actor, dossier=dossier, action="confirm_payment")
    at = at or timezone.now()
    method = required_text(method, "method", _("Vui lòng chọn hình thức thanh toán."))
    return officer_transition(
        ACTIONS["confirm_payment"],
        dossier=dossier,
        to=S.PROCESSING,
        actor=actor,
        at=at,
        details={"method": method, "reference": reference},
        notify=False,
    )


# --- Decision and return --------------------------------------------------------------------


@transaction.atomic(durable=True)
def dossier_resolve(
    *,
    dossier: Dossier,
    actor: User,
    outcome: str,
    note: str = "",
    result_file: IncomingFile | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Decide: approved or denied (a denial states its reasons), with an optional result file."""
    officer_assert_can(user=actor, dossier=dossier, action="resolve")
    at = at or timezone.now()
    if outcome not in Dossier.Outcome.values:
        raise ValidationError({"outcome": _("Kết quả giải quyết không hợp lệ.")})
    if outcome == Dossier.Outcome.DENIED:
        note = required_text(note, "note", _("Vui lòng nêu lý do từ chối giải quyết."))
    moved = officer_transition(
        ACTIONS["resolve"],
        dossier=dossier,
        to=S.RESOLVED,
        actor=actor,
        at=at,
        note=note,
        changes={"resolved_at": at, "outcome": outcome},
        details={"outcome": outcome, "result_file": result_file.name if result_file else ""},
    )
    if result_file is not None:
        dossier_file_store(
            dossier=moved, incoming=result_file, kind=DossierFile.Kind.RESULT, uploaded_by=actor
        )
    return moved


@transaction.atomic(durable=True)
def dossier_stop(
    *, dossier: Dossier, actor: User, reason: str, at: datetime | None = None
) -> Dossier:
    """Stop handling after the applicant's withdrawal request (the stop notice)."""
    return _end_for_reason("stop", dossier=dossier, actor=actor, reason=reason, at=at)


# --- Apology --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def dossier_apologize(
    *, dossier: Dossier, actor: User, reason: str, new_due_at: datetime, at: datetime | None = None
) -> Apology:
    """Mẫu 04 (since 15/9/2025 "apology and request to extend"): one new return date,
    signed by the head of the unit.

    Once per dossier, from the moment lateness is foreseen; made later than one working day
    before the due time it is still made and recorded as late. The new date is a working
    time after the original due time. The dossier still counts as late. An event of kind
    "apology" joins the chain and the citizen is notified.
    """
    officer_assert_can(user=actor, dossier=dossier, action="apologize")
    at = at or timezone.now()
    reason = required_text(reason, "reason", _("Vui lòng nêu lý do chậm trả kết quả."))
    locked = dossier_lock_with_due(
        ACTIONS["apologize"],
        dossier=dossier,
        refusal=_("Hồ sơ đang ở trạng thái “%(state)s”, không thể lập phiếu xin lỗi."),
    )
    if Apology.objects.filter(dossier=locked).exists():
        raise InvalidTransition(
            _("Hồ sơ đã có phiếu xin lỗi và hẹn lại; chỉ được hẹn lại một lần."),
            extra={"status": locked.status},
        )
    new_due_time_check(locked, new_due_at=new_due_at, field="new_due_at")
    is_late = apology_is_late(locked, at=at)
    apology = Apology.objects.create(
        dossier=locked,
        unit_id=locked.handling_unit_id,
        reason=reason,
        original_due_at=locked.due_at,
        new_due_at=new_due_at,
        signed_by=actor,
        issued_at=at,
        is_late=is_late,
    )
    dossier_record(
        dossier=locked,
        kind="apology",
        actor=actor,
        at=at,
        note=reason,
        details={
            "action": "apologize",
            "reason": reason,
            "original_due_at": locked.due_at.isoformat(),
            "new_due_at": new_due_at.isoformat(),
            "late": is_late,
        },
        context={"reason": reason, "new_due_at": new_due_at},
        notify=True,
    )
    return apology
