"""Forms of the payment pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models import Payment


class ReconciliationForm(forms.Form):
    start = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(
        label=_("Hình thức thanh toán"),
        required=False,
        choices=[("", _("Tất cả")), *Payment.Method.choices],
    )

    MAX_DAYS = 366

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start: date = data.get("start") or data.get("end") or today
        end: date = data.get("end") or start
        if start > end:
            self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
        elif (end - start).days > self.MAX_DAYS:
            self.add_error("end", _("Chỉ xem tối đa một năm mỗi lần."))
        data["start"], data["end"] = start, end
        return data


class PaymentConfirmForm(forms.Form):
    """An officer records a payment outside the "awaiting payment" state (or in it)."""

    method = forms.ChoiceField(
        label=_("Hình thức thanh toán"),
        choices=[
            (Payment.Method.CASH, Payment.Method.CASH.label),
            (Payment.Method.TRANSFER, Payment.Method.TRANSFER.label),
        ],
    )
    reference = forms.CharField(
        label=_("Số biên lai (tiền mặt) hoặc mã giao dịch ngân hàng"), max_length=100
    )
    # Only for fees per page or per copy (fees.fee_needs_copies): counted at the desk.
    pages = forms.IntegerField(
        label=_("Số trang mỗi bản"), min_value=1, max_value=10_000, required=False
    )
    copies = forms.IntegerField(label=_("Số bản"), min_value=1, max_value=1_000, required=False)

    def __init__(self, *args: Any, per_unit: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not per_unit:
            del self.fields["pages"]
            del self.fields["copies"]


class RefundForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hoàn trả"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
