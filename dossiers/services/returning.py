"""Handing the result back (the `return` action of dossiers.actions).

Before the dossier moves to "returned", the return conditions the apps above registered
(dossiers.return_conditions: a fee still owed) are met or the return is refused; a charge the
officer takes at the counter is recorded in this same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.access import officer_assert_can
from dossiers.actions import ACTIONS
from dossiers.models import Dossier, DossierFile, Shipment
from dossiers.return_conditions import return_conditions_meet
from dossiers.services.core import officer_transition
from dossiers.services.inputs import required_text

S = Dossier.Status
User = AbstractBaseUser


@transaction.atomic(durable=True)
def dossier_return(
    *,
    dossier: Dossier,
    actor: User,
    method: str,
    recipient_name: str = "",
    tracking_number: str = "",
    take_fee: bool = False,
    at: datetime | None = None,
) -> Dossier:
    """Hand the result back: at the counter (to whom), by post (tracking), or electronically.

    A fee still owed refuses the return unless `take_fee` (at the counter only): then it is
    recorded as paid at the counter together with the return (dossiers.return_conditions).
    """
    officer_assert_can(user=actor, dossier=dossier, action="return")
    at = at or timezone.now()
    context: dict[str, Any] = {}
    if method == Dossier.Delivery.COUNTER:
        recipient_name = required_text(
            recipient_name, "recipient_name", _("Vui lòng nhập họ tên người nhận kết quả.")
        )
    elif method == Dossier.Delivery.POST:
        tracking_number = required_text(
            tracking_number, "tracking_number", _("Vui lòng nhập số hiệu bưu gửi.")
        )
        context["tracking_number"] = tracking_number
    elif method == Dossier.Delivery.ELECTRONIC:
        if not dossier.files.filter(kind=DossierFile.Kind.RESULT).exists():
            raise ValidationError({"method": _("Chưa có tệp kết quả điện tử để trả.")})
    else:
        raise ValidationError({"method": _("Cách thức trả kết quả không hợp lệ.")})
    if take_fee and method != Dossier.Delivery.COUNTER:
        # By post or electronically nobody is at the desk to hand a charge over.
        raise ValidationError(
            {
                "take_fee": _(
                    "Chỉ thu phí, lệ phí cùng lúc khi trả kết quả tại quầy. Trả kết quả qua "
                    "bưu chính hoặc trực tuyến sau khi người nộp đã nộp phí, lệ phí."
                )
            }
        )
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    taken = False
    if locked.status in ACTIONS["return"].states:
        # In another state the transition below refuses (409) before anything is taken.
        taken = return_conditions_meet(dossier=locked, actor=actor, at=at, take=take_fee)
    moved = officer_transition(
        ACTIONS["return"],
        dossier=locked,
        to=S.RETURNED,
        actor=actor,
        at=at,
        changes={"returned_at": at, "return_method": method, "return_recipient": recipient_name},
        details={
            "method": method,
            "recipient_name": recipient_name,
            "tracking_number": tracking_number,
            "fee_taken": taken,
        },
        notify_context=context,
    )
    if method == Dossier.Delivery.POST:
        Shipment.objects.create(
            dossier=moved,
            direction=Shipment.Direction.OUTBOUND,
            tracking_number=tracking_number,
            handed_over_at=at,
            recipient=recipient_name,
        )
    return moved
