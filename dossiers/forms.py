"""Forms of the officers' workbench: counter reception and one form per action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier
from procedures.models import Channel, Procedure, Unit
from procedures.selectors import in_force


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ReceptionStartForm(forms.Form):
    """Step 1: which unit receives, and for which procedure (the checklist depends on it)."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Đơn vị tiếp nhận"))
    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(), label=_("Thủ tục hành chính")
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["procedure"].queryset = (
            Procedure.objects.filter(in_force(), units__in=units).distinct().order_by("code")
        )
        self.fields["procedure"].label_from_instance = lambda p: f"{p.code} – {p.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, procedure = data.get("unit"), data.get("procedure")
        if unit and procedure and not procedure.units.filter(pk=unit.pk).exists():
            self.add_error("procedure", _("Đơn vị đã chọn không giải quyết thủ tục này."))
        return data


class ReceptionForm(forms.Form):
    """Step 2: the applicant, the checklist of the procedure's documents and their scans."""

    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        initial=Channel.COUNTER,
        choices=[(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)],
    )
    applicant_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=200)
    applicant_id_number = forms.CharField(label=_("Số định danh cá nhân / mã số"), max_length=20)
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=16)
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300)
    delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=[c for c in Dossier.Delivery.choices if c[0] != Dossier.Delivery.ELECTRONIC],
    )
    delivery_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả"), max_length=300, required=False
    )
    checklist = forms.MultipleChoiceField(
        label=_("Giấy tờ đã nhận"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = list(procedure.documents.order_by("order", "id"))
        self.fields["checklist"].choices = [
            (str(d.pk), _("%(name)s (bắt buộc)") % {"name": d.name} if d.required else d.name)
            for d in self.documents
        ]
        for d in self.documents:
            self.fields[f"document_{d.pk}"] = forms.FileField(
                label=_("Bản quét: %(name)s") % {"name": d.name}, required=False
            )

    def scan_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(d, self[f"document_{d.pk}"]) for d in self.documents]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea)


class SupplementForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Giấy tờ cần bổ sung"), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea)
    override_note = forms.CharField(
        label=_("Phê duyệt yêu cầu bổ sung lần hai (lãnh đạo đơn vị)"),
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [
            (str(d.pk), d.name) for d in dossier.procedure.documents.all()
        ]


class TransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Chuyển đến đơn vị"))
    to_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Cán bộ nhận (không bắt buộc)"),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offices of the same district (or the commune itself), by name.
        root = dossier.unit.parent or dossier.unit
        self.fields["to_unit"].queryset = Unit.objects.filter(
            pk__in=[root.pk, *Unit.objects.filter(parent=root).values_list("pk", flat=True)]
        ).order_by("name")
        self.fields["to_user"].queryset = (
            get_user_model()
            .objects.filter(memberships__unit__in=self.fields["to_unit"].queryset)
            .distinct()
            .order_by("first_name", "username")
        )
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class PaymentRequestForm(forms.Form):
    amount_vnd = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1)


class PaymentConfirmForm(forms.Form):
    METHODS = [
        ("cash", _("Tiền mặt")),
        ("transfer", _("Chuyển khoản")),
        ("online", _("Thanh toán trực tuyến")),
    ]
    method = forms.ChoiceField(label=_("Hình thức thanh toán"), choices=METHODS)
    reference = forms.CharField(label=_("Số biên lai / chứng từ"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        # Cash at the counter: the officer records the receipt number (issue 7).
        data = super().clean() or {}
        if data.get("method") in ("cash", "transfer") and not data.get("reference", "").strip():
            self.add_error(
                "reference",
                _(
                    "Vui lòng nhập số biên lai (tiền mặt) hoặc mã giao "
                    "dịch ngân hàng (chuyển khoản)."
                ),
            )
        return data


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Kết quả"), choices=Dossier.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Nội dung, lý do (bắt buộc khi từ chối)"), required=False, widget=forms.Textarea
    )
    result_file = forms.FileField(label=_("Tệp kết quả (không bắt buộc)"), required=False)


class ReturnForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Cách thức trả kết quả"), choices=Dossier.Delivery.choices, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(label=_("Họ tên người nhận"), max_length=200, required=False)
    tracking_number = forms.CharField(label=_("Số hiệu bưu gửi"), max_length=40, required=False)


class ApologyForm(forms.Form):
    reason = forms.CharField(label=_("Lý do chậm trả kết quả"), widget=forms.Textarea)
    new_due_at = forms.DateTimeField(
        label=_("Ngày hẹn trả kết quả mới"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class RegisterForm(forms.Form):
    FORMATS = [("xlsx", "XLSX"), ("pdf", "PDF")]
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Đơn vị"))
    field = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Lĩnh vực"),
        empty_label=_("Tất cả lĩnh vực"),
    )
    start = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label=_("Định dạng"), choices=FORMATS)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        from procedures.models import Field

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["field"].queryset = Field.objects.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data
