"""What a citizen does to a dossier with its update key: open it, answer a supplement request,
ask to withdraw and claim it for an account (a new key is sent by citizens.keys).

Every status change goes through core.dossier_transition. Callers check the key first with
`dossier_get_for_citizen` (the one access helper for citizens).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier, DossierFile, SupplementRequest
from dossiers.services.core import IncomingFile, dossier_file_store, dossier_transition
from dossiers.services.keys import (
    WRONG_KEYS_PER_CLIENT_PER_HOUR,
    update_key_check,
)
from dossiers.transitions import FINAL
from portal.exceptions import InvalidTransition, Locked, NotAllowed, PortalError
from portal.models import AuditLog
from portal.throttling import budget_give_back, budget_take

S = Dossier.Status


class KeyRefused(NotAllowed):
    """The code and key open no dossier: unknown code, wrong key or locked dossier, one
    answer for all three (dossiers.services.keys)."""


class DossierNotFound(PortalError):
    status_code = 404


def dossier_get_by_code(*, code: str) -> Dossier | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        Dossier.objects.select_related("procedure", "unit", "handling_unit")
        .filter(code=code)
        .first()
    )


def dossier_get_for_citizen(*, code: str, key: str, client: str = "") -> Dossier:
    """The dossier whose code and update key are given, counted as dossiers.services.keys
    says against `client` (portal.throttling.client_key; "" for no client budget).

    Locked (429) when the client has no wrong key left this hour; KeyRefused (403) for an
    unknown code, a wrong key or a locked dossier alike.
    """
    budget = {"name": "wrong-keys", "ident": client}
    if client and not budget_take(**budget, limit=WRONG_KEYS_PER_CLIENT_PER_HOUR, seconds=3600):
        raise Locked(_("Bạn đã nhập sai mã tra cứu quá nhiều lần. Vui lòng thử lại sau một giờ."))
    dossier = dossier_get_by_code(code=code)
    if dossier is None or not update_key_check(dossier=dossier, key=key or ""):
        raise KeyRefused(
            _(
                "Mã hồ sơ hoặc mã tra cứu không đúng. Mã tra cứu có trong tin nhắn SMS gửi khi "
                "nộp hồ sơ; nếu không còn tin nhắn, hoặc đã nhập sai nhiều lần, hãy yêu cầu "
                "gửi lại mã tra cứu."
            )
        )
    if client:
        budget_give_back(**budget)
    return dossier


def _label(dossier: Dossier) -> str:
    return _("Người nộp: %(name)s") % {"name": dossier.applicant_name}


def supplement_request_open(*, dossier: Dossier) -> SupplementRequest | None:
    return (
        SupplementRequest.objects.filter(dossier=dossier, answered_at__isnull=True)
        .prefetch_related("documents")
        .order_by("-requested_at", "-id")
        .first()
    )


@transaction.atomic
def dossier_supplement_answer(
    *, dossier: Dossier, files: Sequence[IncomingFile], note: str
) -> Dossier:
    """The citizen sends what a supplement request asked for.

    Steps: the dossier must await a supplement; every requested document needs at least one
    file (files of other documents are refused: no extra documents); store the files; mark
    the request answered; move back to processing, or to submitted when the request came
    before reception. dossier_transition resumes the clock.
    """
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status != S.SUPPLEMENT_REQUESTED:
        raise InvalidTransition(_("Hồ sơ này hiện không có yêu cầu bổ sung nào cần trả lời."))
    request = supplement_request_open(dossier=locked)
    if request is None:
        raise InvalidTransition(_("Hồ sơ này hiện không có yêu cầu bổ sung nào cần trả lời."))
    wanted = {d.pk: d for d in request.documents.all()}
    errors: dict[str, list[str]] = {}
    given = {f.document.pk for f in files if f.document is not None}
    for pk, doc in wanted.items():
        if pk not in given:
            errors.setdefault(f"document_{pk}", []).append(
                _("Vui lòng tải lên “%(doc)s”.") % {"doc": doc.name}
            )
    for f in files:
        if f.document is None or f.document.pk not in wanted:
            errors.setdefault("__all__", []).append(_("Chỉ nộp các giấy tờ được yêu cầu bổ sung."))
            break
    if len(note) > 2000:
        errors.setdefault("note", []).append(_("Ghi chú tối đa 2.000 ký tự."))
    if errors:
        raise ValidationError(errors)
    for incoming in files:
        dossier_file_store(dossier=locked, incoming=incoming, kind=DossierFile.Kind.SUPPLEMENT)
    now = timezone.now()
    request.answered_at = now
    request.answer_note = note.strip()
    request.save(update_fields=["answered_at", "answer_note"])
    to = S.PROCESSING if locked.received_at else S.SUBMITTED
    return dossier_transition(
        dossier=locked,
        to=to,
        actor=None,
        actor_label=_label(locked),
        at=now,
        note=note.strip(),
        details={"supplement_request": request.pk, "files": len(files)},
        expected_from=[S.SUPPLEMENT_REQUESTED],
    )


@transaction.atomic
def dossier_withdraw_request(*, dossier: Dossier, reason: str) -> Dossier:
    """The citizen asks to stop handling, before a decision (the desk then issues the stop
    notice)."""
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Lý do tối đa 2.000 ký tự.")})
    current = Dossier.objects.only("status").get(pk=dossier.pk).status
    if current in FINAL or current == S.WITHDRAWAL_REQUESTED:
        raise InvalidTransition(
            _("Hồ sơ đã có quyết định hoặc đã yêu cầu rút, không thể rút hồ sơ nữa.")
        )
    return dossier_transition(
        dossier=dossier,
        to=S.WITHDRAWAL_REQUESTED,
        actor=None,
        actor_label=_label(dossier),
        note=reason,
        details={"by": "citizen"},
    )


@transaction.atomic
def dossier_claim(*, dossier: Dossier, user: AbstractBaseUser) -> Dossier:
    """Attach a dossier submitted without an account to `user` (the key was checked)."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.citizen_id is not None and locked.citizen_id != user.pk:
        raise NotAllowed(_("Hồ sơ này đã thuộc về một tài khoản khác."))
    if locked.citizen_id is None:
        locked.citizen = user
        locked.save(update_fields=["citizen", "updated_at"])
        AuditLog.objects.create(actor=user, action="dossier.claim", target=locked.code)
    return locked
