"""Reception at the counter or from the post: a dossier made by the desk officer.

The online dossiers are received with dossiers.services.actions.dossier_receive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dossiers.access import officer_assert_unit_role, permission_roles
from dossiers.models import Dossier
from dossiers.services.core import Applicant, IncomingFile, dossier_create
from procedures.models import Channel, Procedure, Unit


@transaction.atomic(durable=True)
def dossier_receive_at_counter(
    *,
    procedure: Procedure,
    unit: Unit,
    channel: str,
    applicant: Applicant,
    actor: AbstractBaseUser,
    checklist: Sequence[int] = (),
    files: Sequence[IncomingFile] = (),
    delivery: str = Dossier.Delivery.COUNTER,
    delivery_address: str = "",
    payment_method: str = "",
    note: str = "",
    at: datetime | None = None,
) -> tuple[Dossier, str]:
    """Receive a dossier brought to the desk or sent by the post; return it and its key.

    `checklist` holds the ids of the procedure's documents the officer checked as received;
    every required one must be there (an incomplete dossier gets a supplement request or a
    refusal instead, never a receipt). The due time is set by the clock at reception.
    """
    officer_assert_unit_role(user=actor, unit=unit, roles=permission_roles("create"))
    if channel not in (Channel.COUNTER, Channel.POST):
        raise ValidationError({"channel": _("Chỉ tiếp nhận trực tiếp hoặc qua bưu chính.")})
    documents = list(procedure.documents.order_by("order", "id"))
    by_id = {d.pk: d for d in documents}
    checked = {int(pk) for pk in checklist}
    unknown = checked - set(by_id)
    if unknown:
        raise ValidationError({"checklist": _("Giấy tờ không thuộc danh mục của thủ tục.")})
    for incoming in files:
        if incoming.document is not None and incoming.document.pk not in by_id:
            raise ValidationError({"files": _("Tệp đính kèm không thuộc thủ tục.")})
        if incoming.document is not None:
            checked.add(incoming.document.pk)
    missing = [d.name for d in documents if d.required and d.pk not in checked]
    if missing:
        raise ValidationError(
            {
                "checklist": _("Hồ sơ chưa đủ thành phần bắt buộc: %(names)s.")
                % {"names": "; ".join(missing)}
            }
        )
    dossier, key = dossier_create(
        procedure=procedure,
        unit=unit,
        channel=channel,
        applicant=applicant,
        files=files,
        delivery=delivery,
        delivery_address=delivery_address,
        payment_method=payment_method,
        actor=actor,
        note=note,
        at=at,
    )
    received = [
        {"document_id": d.pk, "name": d.name, "originals": d.originals, "copies": d.copies}
        for d in documents
        if d.pk in checked
    ]
    Dossier.objects.filter(pk=dossier.pk).update(received_documents=received)
    dossier.received_documents = received
    return dossier, key


def dossier_receive_entered(
    data: Mapping[str, Any], *, commune: Unit | None, **given: Any
) -> tuple[Dossier, str]:
    """dossier_receive_at_counter with what the desk entered, which the reception page's form
    and the API's body name alike; `given`: its other arguments (procedure, unit, actor, files)."""
    return dossier_receive_at_counter(
        channel=data["channel"],
        applicant=Applicant.entered(data, commune=commune),
        checklist=[int(pk) for pk in data["checklist"]],
        delivery=data["delivery"],
        delivery_address=data["delivery_address"],
        payment_method=data.get("payment_method", ""),
        note=data["note"],
        **given,
    )
