"""The fee as a condition of handing the result back (dossiers.return_conditions).

While the applicant owes a fee (selectors.payment_owed), the desk cannot return the result
unless it takes the fee at the counter in the same step: the fee is then recorded as paid in
cash by the returning officer, with its electronic receipt, in the return's transaction. A
result sent by post or electronically waits until the fee is paid (online, or at the desk
before): nobody stands at the counter to hand it over.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from dossiers.models import Dossier
from dossiers.return_conditions import ReturnCharge, ReturnCondition
from payments.selectors import payment_owed
from procedures.fees import money_text


def fee_outstanding(dossier: Dossier) -> ReturnCharge | None:
    owed = payment_owed(dossier=dossier)
    if owed <= 0:
        return None
    amount = money_text(owed)
    return ReturnCharge(
        amount_vnd=owed,
        label=_("Thu phí, lệ phí tại quầy khi trả kết quả: %(amount)s") % {"amount": amount},
        refusal=_(
            "Hồ sơ còn %(amount)s phí, lệ phí chưa nộp. Chỉ trả kết quả khi thu phí, lệ phí "
            "tại quầy cùng lúc (đánh dấu “Thu phí, lệ phí tại quầy khi trả kết quả”), hoặc "
            "sau khi người nộp đã nộp."
        )
        % {"amount": amount},
    )


def fee_take(*, dossier: Dossier, actor: Any, at: datetime) -> None:
    from payments.services import payment_take_at_return

    payment_take_at_return(dossier=dossier, actor=actor, at=at)


FEE_ON_RETURN = ReturnCondition(name="fee", outstanding=fee_outstanding, take=fee_take)
