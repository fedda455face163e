"""Forms of the officers' workbench: counter reception, the register, and the input of each
action (bound by the pages and the API alike, see dossiers.actions)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from dossiers.models import CounterGuidance, Dossier
from dossiers.return_conditions import return_charges
from dossiers.services.core import IncomingFile, person_name
from dossiers.transitions import handling_unit_usual, transfer_targets
from dossiers.uploads import upload_validate
from portal.models import Membership
from portal.validators import validate_single_line
from procedures.collation import vietnamese_order
from procedures.models import Channel, Procedure, Unit
from procedures.selectors import in_force
from signing.signers import signing_enabled


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ReceptionStartForm(forms.Form):
    """Step 1: which unit receives, and for which procedure (the checklist depends on it)."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Đơn vị tiếp nhận"))
    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(),
        label=_("Thủ tục hành chính"),
        error_messages={
            "invalid_choice": _(
                "Đơn vị của bạn không giải quyết thủ tục này và thủ tục không thuộc danh mục "
                "tiếp nhận không phụ thuộc vào địa giới hành chính."
            )
        },
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        only = list(units[:2])
        if len(only) == 1:  # a desk of one unit has nothing to choose
            self.fields["unit"].initial, self.fields["unit"].empty_label = only[0].pk, None
        self.fields["procedure"].queryset = (
            Procedure.objects.filter(
                in_force(), Q(units__in=units) | Q(boundary_free_from__isnull=False)
            )
            .distinct()
            .order_by("code")
        )
        self.fields["procedure"].label_from_instance = lambda p: f"{p.code} – {p.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, procedure = data.get("unit"), data.get("procedure")
        # A procedure receivable regardless of boundaries: the service decides (receiving).
        if (
            unit
            and procedure
            and procedure.boundary_free_from is None
            and not procedure.units.filter(pk=unit.pk).exists()
        ):
            self.add_error("procedure", _("Đơn vị đã chọn không giải quyết thủ tục này."))
        return data


class GuidanceForm(forms.Form):
    """The counter's written guidance to a walk-in applicant (Mẫu 02 or Mẫu 03)."""

    kind = forms.ChoiceField(
        label=_("Phiếu"), choices=CounterGuidance.Kind.choices, widget=forms.RadioSelect
    )
    applicant_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân / mã số"), max_length=20, required=False
    )
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=16, required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    documents = forms.MultipleChoiceField(
        label=_("Giấy tờ cần bổ sung (Mẫu 02)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea)

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [
            (str(d.pk), d.name) for d in procedure.documents.order_by("order", "id")
        ]


class ReceptionForm(forms.Form):
    """Step 2: the applicant, the checklist of the procedure's documents and their scans."""

    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        initial=Channel.COUNTER,
        choices=[(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)],
    )
    applicant_name = forms.CharField(
        label=_("Họ và tên người nộp"), max_length=200, validators=[validate_single_line]
    )
    applicant_id_number = forms.CharField(label=_("Số định danh cá nhân / mã số"), max_length=20)
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=16)
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(
        label=_("Địa chỉ"), max_length=300, validators=[validate_single_line]
    )
    # Decides the competent unit (procedures.receiving); optional when the desk is the
    # applicant's own commune.
    applicant_commune = forms.ModelChoiceField(
        queryset=Unit.objects.filter(kind=Unit.Kind.COMMUNE, valid_to=None).order_by(
            vietnamese_order("name")
        ),
        label=_("Xã, phường nơi cư trú của người nộp"),
        required=False,
    )
    delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=[c for c in Dossier.Delivery.choices if c[0] != Dossier.Delivery.ELECTRONIC],
    )
    delivery_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả"),
        max_length=300,
        required=False,
        validators=[validate_single_line],
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
        # The receiving officer may sign a scan (PDF) with the agency's certificate.
        self.signing = signing_enabled()
        for d in self.documents:
            self.fields[f"document_{d.pk}"] = forms.FileField(
                label=_("Bản quét: %(name)s") % {"name": d.name}, required=False
            )
            if self.signing:
                self.fields[f"sign_{d.pk}"] = forms.BooleanField(
                    label=_("Ký số bản quét này (tệp PDF)"), required=False
                )

    def scan_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField | None]]:
        return [
            (d, self[f"document_{d.pk}"], self[f"sign_{d.pk}"] if self.signing else None)
            for d in self.documents
        ]

    def sign_document_ids(self) -> set[int]:
        """The documents whose scan the officer chose to sign."""
        if not self.signing:
            return set()
        return {d.pk for d in self.documents if self.cleaned_data.get(f"sign_{d.pk}")}


class ActionForm(forms.Form):
    """The input of one officer action (dossiers.actions); the page and the API bind it alike.

    `show_when` names fields shown only for one value of another field (static/js/officer.js;
    without script every field shows).
    """

    show_when: dict[str, str] = {}

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def service_arguments(self) -> dict[str, Any]:
        """The service's keyword arguments besides the dossier and the actor."""
        return dict(self.cleaned_data)

    def next_step_here(self) -> bool:
        """Whether, once done, the officer's next step is on this same dossier (else the page
        goes back to the queue)."""
        return False


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea)


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea)


class SupplementForm(ActionForm):
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
        super().__init__(*args, dossier=dossier, **kwargs)
        self.fields["items"].choices = [
            (str(d.pk), d.name) for d in dossier.procedure.documents.all()
        ]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "document_ids": [int(pk) for pk in data["items"]],
            "reason": data["reason"],
            "override_note": data["override_note"],
        }


class OfficerChoiceField(forms.ModelChoiceField):
    """An officer by id or by username (the API has always taken both)."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        found = None
        if re.fullmatch(r"[0-9]{1,9}", text):
            found = self.queryset.filter(pk=int(text)).first()
        if found is None and text.isprintable():
            found = self.queryset.filter(username=text).first()
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class OfficerSelect(forms.Select):
    """Each officer's option carries the codes of their units (data-units), so the page lists
    only the officers of the unit chosen above it (static/js/officer.js)."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        user = getattr(value, "instance", None)
        if user is not None:
            codes = sorted({m.unit.code for m in user.memberships.all()})
            option["attrs"]["data-units"] = " ".join(codes)
        return option


class TransferOfficerField(OfficerChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        """Name, sign-in name and unit: two officers of the same name stay apart."""
        units = ", ".join(sorted({m.unit.name for m in obj.memberships.all()}))
        return f"{person_name(obj)} ({obj.get_username()}) – {units}"


class TransferForm(ActionForm):
    to_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Chuyển đến đơn vị"), to_field_name="code"
    )
    to_user = TransferOfficerField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Cán bộ nhận (không bắt buộc)"),
        empty_label=_("Chưa chỉ định – lãnh đạo đơn vị phân công"),
        widget=OfficerSelect(attrs={"data-officers-of": "to_unit"}),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, dossier=dossier, **kwargs)
        targets = transfer_targets(dossier=dossier)
        self.fields["to_unit"].queryset = targets
        usual = handling_unit_usual(dossier=dossier)
        if usual is not None and targets.filter(pk=usual.pk).exists():
            self.initial.setdefault("to_unit", usual.code)
        in_targets = Membership.objects.filter(unit__in=targets).select_related("unit")
        self.fields["to_user"].queryset = (
            get_user_model()
            .objects.filter(memberships__unit__in=targets)
            .distinct()
            .prefetch_related(Prefetch("memberships", queryset=in_targets))
            .order_by(vietnamese_order("first_name"), "username")
        )


class ReceiveForm(TransferForm):
    """Reception, with the hand-over to the handling unit in the same step (optional)."""

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, dossier=dossier, **kwargs)
        self.fields["to_unit"].required = False
        self.fields["to_unit"].label = _("Chuyển ngay đến đơn vị xử lý")
        self.fields["to_unit"].empty_label = _("Không chuyển – đơn vị tiếp nhận tự giải quyết")
        self.fields["note"].label = _("Ghi chú")

    def next_step_here(self) -> bool:
        return self.cleaned_data.get("to_unit") is None


class PaymentRequestForm(ActionForm):
    amount_vnd = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1, max_value=10**12)


class PaymentConfirmForm(ActionForm):
    METHODS = [
        ("cash", _("Tiền mặt")),
        ("transfer", _("Chuyển khoản")),
        ("online", _("Thanh toán trực tuyến")),
    ]
    method = forms.ChoiceField(label=_("Hình thức thanh toán"), choices=METHODS)
    reference = forms.CharField(label=_("Số biên lai / chứng từ"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        # Paid at the counter or by bank transfer: the receipt or the transaction is recorded.
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


class ResolveForm(ActionForm):
    outcome = forms.ChoiceField(
        label=_("Kết quả"), choices=Dossier.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Nội dung, lý do (bắt buộc khi từ chối)"), required=False, widget=forms.Textarea
    )
    result_file = forms.FileField(label=_("Tệp kết quả (không bắt buộc)"), required=False)

    def clean_result_file(self) -> IncomingFile | None:
        # A file over the limit raises UploadTooLarge (413), not a form error.
        upload = self.cleaned_data.get("result_file")
        return upload_validate(upload) if upload else None


class ReturnForm(ActionForm):
    method = forms.ChoiceField(
        label=_("Cách thức trả kết quả"), choices=Dossier.Delivery.choices, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(
        label=_("Họ tên người nhận"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    tracking_number = forms.CharField(label=_("Số hiệu bưu gửi"), max_length=40, required=False)
    # Shown only while something is owed (dossiers.return_conditions), with the amount.
    take_fee = forms.BooleanField(
        label=_("Thu phí, lệ phí tại quầy khi trả kết quả"), required=False
    )

    show_when = {
        "recipient_name": "method=counter",
        "tracking_number": "method=post",
        "take_fee": "method=counter",
    }

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, dossier=dossier, **kwargs)
        # The way the citizen chose at submission comes first; by post, the address is shown
        # next to the tracking number it goes with.
        self.initial.setdefault("method", dossier.delivery)
        if dossier.delivery_address:
            self.fields["tracking_number"].help_text = _("Gửi tới: %(address)s") % {
                "address": dossier.delivery_address
            }
        charges = (
            return_charges(dossier=dossier) if dossier.status == Dossier.Status.RESOLVED else []
        )
        if charges:
            self.fields["take_fee"].label = "; ".join(c.label for _cond, c in charges)
            self.fields["take_fee"].help_text = _(
                "Chỉ trả kết quả khi đã thu đủ; biên lai điện tử được lập cùng lúc."
            )
        else:
            del self.fields["take_fee"]


class ApologyForm(ActionForm):
    reason = forms.CharField(label=_("Lý do chậm trả kết quả"), widget=forms.Textarea)
    new_due_at = forms.DateTimeField(
        label=_("Ngày hẹn trả kết quả mới"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class ExtensionForm(ActionForm):
    reason = forms.CharField(label=_("Lý do gia hạn"), widget=forms.Textarea)
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý cho phép gia hạn"), max_length=500)
    new_due_at = forms.DateTimeField(
        label=_("Hạn trả kết quả mới"),
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
