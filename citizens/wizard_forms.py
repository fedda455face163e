"""Forms of the submission wizard's steps (citizens/views/wizard.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from citizens import address
from citizens.forms import CitizenForm, full_name_field, id_number_clean, phone_clean
from dossiers.models import Dossier
from portal.validators import validate_single_line
from procedures.collation import vietnamese_order
from procedures.models import Procedure


class UnitForm(CitizenForm):
    unit = forms.ChoiceField(
        label=_("Cơ quan tiếp nhận hồ sơ"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn cơ quan tiếp nhận hồ sơ.")},
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            procedure.units.exclude(e_id=None).exclude(e_id="").order_by(vietnamese_order("name"))
        )
        self.fields["unit"].choices = [(u.code, u.name) for u in units]


ADDRESS_FIELDS = ("province", "ward", "street")


class AddressMixin(CitizenForm):
    """Province and commune from the official list, then the street part typed by hand."""

    province = forms.ChoiceField(
        label=_("Tỉnh, thành phố"),
        required=False,
        error_messages={"invalid_choice": _("Vui lòng chọn tỉnh, thành phố trong danh sách.")},
    )
    ward = forms.ChoiceField(
        label=_("Xã, phường, đặc khu"),
        required=False,
        error_messages={"invalid_choice": _("Xã, phường đã chọn không thuộc tỉnh, thành phố này.")},
    )
    street = forms.CharField(
        label=_("Số nhà, đường, thôn/bản/tổ"),
        max_length=150,
        required=False,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )

    def setup_address(self) -> None:
        self.fields["province"].choices = [
            ("", _("— Chọn tỉnh, thành phố —")),
            *address.province_choices(),
        ]
        province = self.data.get(self.add_prefix("province")) if self.is_bound else None
        province = province or self.initial.get("province") or address.default_province()
        self.fields["ward"].choices = [
            ("", _("— Chọn xã, phường —")),
            *address.ward_choices(str(province)),
        ]
        self.fields["province"].widget.attrs.update(
            {"data-ward-target": self.add_prefix("ward"), "class": "js-province"}
        )
        self.fields["ward"].widget.attrs.update({"class": "js-ward"})

    def clean_address(self, cleaned: dict[str, Any]) -> None:
        province, ward = cleaned.get("province"), cleaned.get("ward")
        street = (cleaned.get("street") or "").strip()
        if not province:
            self.add_error("province", _("Vui lòng chọn tỉnh, thành phố."))
        if not ward:
            self.add_error("ward", _("Vui lòng chọn xã, phường."))
        elif province and not address.ward_in_province(ward=ward, province=province):
            self.add_error("ward", _("Xã, phường đã chọn không thuộc tỉnh, thành phố này."))
        if not street:
            self.add_error("street", _("Vui lòng nhập số nhà, đường, thôn hoặc bản."))


class ApplicantForm(AddressMixin):
    kind = forms.ChoiceField(
        label=_("Người nộp là"),
        widget=forms.RadioSelect,
        choices=Dossier.ApplicantKind.choices,
        initial=Dossier.ApplicantKind.PERSON,
    )
    full_name = full_name_field(_("Họ và tên người nộp"))
    organisation_name = forms.CharField(
        label=_("Tên tổ chức"),
        max_length=300,
        required=False,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (12 số) hoặc mã số thuế của tổ chức"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập số định danh cá nhân.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=30,
        help_text=_("Mã hồ sơ và mã tra cứu được gửi tới số này qua SMS."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại di động.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử (không bắt buộc)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )

    field_order = [
        "kind",
        "full_name",
        "organisation_name",
        "id_number",
        "phone",
        "email",
        "province",
        "ward",
        "street",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_address()

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind") or Dossier.ApplicantKind.PERSON
        if cleaned.get("id_number"):
            try:
                cleaned["id_number"] = id_number_clean(cleaned["id_number"], kind=kind)
            except ValidationError as exc:
                self.add_error("id_number", exc)
        if (
            kind == Dossier.ApplicantKind.ORGANISATION
            and not (cleaned.get("organisation_name") or "").strip()
        ):
            self.add_error("organisation_name", _("Vui lòng nhập tên tổ chức."))
        self.clean_address(cleaned)
        return cleaned


class DeliveryForm(AddressMixin):
    delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        widget=forms.RadioSelect,
        choices=[
            (Dossier.Delivery.COUNTER, _("Nhận tại cơ quan (bộ phận một cửa)")),
            (Dossier.Delivery.POST, _("Nhận tại nhà qua bưu điện (bưu chính công ích)")),
        ],
        initial=Dossier.Delivery.COUNTER,
        error_messages={"required": _("Vui lòng chọn hình thức nhận kết quả.")},
    )
    copy_applicant_address = forms.BooleanField(
        label=_("Dùng địa chỉ của người nộp hồ sơ"), required=False
    )

    def __init__(
        self, *args: Any, procedure: Procedure, applicant: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.applicant = applicant
        if not procedure.postal_allowed:
            self.fields["delivery"].choices = self.fields["delivery"].choices[:1]
        self.setup_address()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("delivery") != Dossier.Delivery.POST:
            for name in ADDRESS_FIELDS:
                cleaned[name] = ""
            cleaned["copy_applicant_address"] = False
            return cleaned
        if cleaned.get("copy_applicant_address"):
            # The no-JS path: show the copied address if the form comes back.
            self.data = self.data.copy()
            for name in ADDRESS_FIELDS:
                cleaned[name] = self.applicant.get(name, "")
                self.data[self.add_prefix(name)] = cleaned[name]
                self.errors.pop(name, None)
        self.clean_address(cleaned)
        return cleaned


class ConfirmForm(CitizenForm):
    captcha_key = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha_value = forms.CharField(
        label=_("Mã xác nhận"),
        max_length=20,
        required=False,
        help_text=_("Nhập các chữ cái trong hình (không phân biệt chữ hoa, chữ thường)."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    payment_method = forms.ChoiceField(
        label=_("Hình thức thanh toán phí, lệ phí"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn hình thức thanh toán.")},
    )
    declaration = forms.BooleanField(
        label=_("Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên"),
        error_messages={
            "required": _(
                "Vui lòng đánh dấu ô cam kết “Tôi xin chịu trách "
                "nhiệm trước pháp luật về lời khai trên” để nộp hồ "
                "sơ."
            )
        },
    )

    def __init__(self, *args: Any, methods: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = methods
        if len(methods) == 1:
            self.fields["payment_method"].initial = methods[0][0]

    def clean(self) -> dict[str, Any]:
        # The answer itself is checked by the submission service, before any file is read.
        cleaned = super().clean() or {}
        if not (cleaned.get("captcha_value") or "").strip():
            self.add_error("captcha_value", _("Vui lòng nhập mã xác nhận."))
        return cleaned
