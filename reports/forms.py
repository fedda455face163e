"""The filters of report pages, and the reconciliation upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Unit
from reports.access import HANDLING, RECEIVING


def unit_choices(scope: set[int]) -> list[Any]:
    """The units a report may be asked for: today's first, then those closed, as history,
    each with its last day."""
    units = (
        Unit.objects.filter(pk__in=scope)
        .exclude(kind=Unit.Kind.PROVINCE)
        .order_by("-is_reporting_unit", "report_order", "name")
    )
    today = timezone.localdate()
    current = [(u.code, u.name) for u in units if u.valid_to is None or u.valid_to >= today]
    closed = [
        (u.code, _("%(name)s (đến %(day)s)") % {"name": u.name, "day": f"{u.valid_to:%d/%m/%Y}"})
        for u in units
        if u.valid_to is not None and u.valid_to < today
    ]
    return current + ([(_("Đơn vị đã thôi hoạt động"), closed)] if closed else [])


class PeriodForm(forms.Form):
    """From, to (local days, both included) and the units to report on."""

    to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    role = forms.ChoiceField(
        label=_("Tính theo"),
        required=False,
        choices=[
            (RECEIVING, _("Đơn vị tiếp nhận")),
            (HANDLING, _("Đơn vị xử lý (phòng, ban, UBND xã)")),
        ],
    )
    unit = forms.MultipleChoiceField(
        label=_("Đơn vị"),
        required=False,
        help_text=_("Không chọn: các đơn vị báo cáo. Mỗi đơn vị gồm cả các đơn vị trực thuộc."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    predecessors = forms.BooleanField(
        label=_("Gồm đơn vị tiền nhiệm"),
        required=False,
        help_text=_("Cộng cả số liệu của các đơn vị đã sáp nhập vào đơn vị được chọn."),
    )

    def __init__(self, *args: Any, scope: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is added by name.
        self.fields = {
            "from": forms.DateField(
                label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
            **self.fields,
        }
        self.fields["unit"].choices = unit_choices(scope)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class MonthForm(forms.Form):
    thang = forms.CharField(
        label=_("Tháng"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )


class ReconcileForm(PeriodForm):
    file = forms.FileField(
        label=_("Tệp báo cáo (CSV hoặc Excel .xlsx)"),
        help_text=_("Theo mẫu phụ lục: STT, tên cơ quan và 18 cột số liệu."),
    )

    def __init__(self, *args: Any, scope: set[int], **kwargs: Any) -> None:
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["from"].required = True
        self.fields["to"].required = True
        del self.fields["unit"]
        del self.fields["role"]
        del self.fields["predecessors"]
