"""Forms of the citizen's pages. Validation rules shared with the API live in validators."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from citizens import address
from citizens.models import Rating
from dossiers.models import Dossier
from portal.validators import validate_single_line
from procedures.models import Procedure

_ID_SEPARATORS = re.compile(r"[\s.\-]")


class CitizenForm(forms.Form):
    """Marks fields in error for assistive technology (aria-invalid, aria-describedby)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if name in self.errors:
                described.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for the summary at the top of the page, in field order."""
        rows = []
        for name in self.fields:
            for message in self.errors.get(name, []):
                bound = self[name]
                anchor = bound.auto_id
                if isinstance(self.fields[name].widget, forms.RadioSelect):
                    anchor = f"{anchor}_0"
                rows.append((anchor, str(message)))
        rows.extend(("", str(m)) for m in self.non_field_errors())
        return rows


def id_number_clean(value: str, *, kind: str = Dossier.ApplicantKind.PERSON) -> str:
    """A personal ID (12 digits, CCCD) or an organisation's tax code (10 or 10-3 digits)."""
    raw = (value or "").strip()
    if kind == Dossier.ApplicantKind.ORGANISATION:
        compact = raw.replace(" ", "")
        if re.fullmatch(r"\d{10}(-\d{3})?", compact):
            return compact
        raise ValidationError(
            _(
                "Mã số doanh nghiệp/mã số thuế gồm 10 chữ số (hoặc 10 chữ số, "
                "dấu gạch ngang và 3 chữ số cho chi nhánh)."
            ),
            code="bad_id",
        )
    digits = _ID_SEPARATORS.sub("", raw)
    if not re.fullmatch(r"\d{12}", digits) or digits == "0" * 12:
        raise ValidationError(
            _("Số định danh cá nhân (số căn cước) gồm đúng 12 chữ số, ví dụ 012345678901."),
            code="bad_id",
        )
    return digits


def phone_clean(value: str) -> str:
    from notifications.phone import phone_normalise

    return phone_normalise(value)


class UnitForm(CitizenForm):
    unit = forms.ChoiceField(
        label=_("Cơ quan tiếp nhận hồ sơ"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn cơ quan tiếp nhận hồ sơ.")},
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = procedure.units.exclude(e_id=None).exclude(e_id="").order_by("name")
        self.fields["unit"].choices = [(u.code, u.name) for u in units]


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

    address_required = True

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
    full_name = forms.CharField(
        label=_("Họ và tên người nộp"),
        max_length=200,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )
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
            for name in ("province", "ward", "street"):
                cleaned[name] = ""
            cleaned["copy_applicant_address"] = False
            return cleaned
        if cleaned.get("copy_applicant_address"):
            for name in ("province", "ward", "street"):
                cleaned[name] = self.applicant.get(name, "")
            # The no-JS path: show the copied address if the form comes back.
            self.data = self.data.copy()
            for name in ("province", "ward", "street"):
                self.data[self.add_prefix(name)] = cleaned[name]
            for name in ("province", "ward", "street"):
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


class LookupForm(CitizenForm):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=60,
        help_text=_("Ví dụ: 000.41.11.H33-251027-0001"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )
    key = forms.CharField(
        label=_("Mã tra cứu (trong tin nhắn SMS)"),
        max_length=20,
        required=False,
        help_text=_(
            "Có mã tra cứu: xem đầy đủ thông tin và bổ sung, rút hồ "
            "sơ. Không có: nhập mã xác nhận bên dưới."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    captcha_key = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha_value = forms.CharField(
        label=_("Mã xác nhận"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            not (cleaned.get("key") or "").strip()
            and not (cleaned.get("captcha_value") or "").strip()
        ):
            self.add_error(
                "captcha_value", _("Vui lòng nhập mã tra cứu, hoặc mã xác nhận trong hình.")
            )
        return cleaned


class KeyResendForm(CitizenForm):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=60,
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )
    captcha_key = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha_value = forms.CharField(
        label=_("Mã xác nhận"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập mã xác nhận.")},
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class WithdrawForm(CitizenForm):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Vui lòng cho biết lý do rút hồ sơ.")},
    )
    confirm = forms.BooleanField(
        label=_("Tôi muốn rút hồ sơ này và biết rằng cơ quan sẽ dừng giải quyết"),
        error_messages={"required": _("Vui lòng đánh dấu ô xác nhận rút hồ sơ.")},
    )


class SupplementForm(CitizenForm):
    note = forms.CharField(
        label=_("Ghi chú cho cán bộ (không bắt buộc)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RatingForm(CitizenForm):
    score = forms.TypedChoiceField(
        label=_("Mức độ hài lòng của bạn"),
        coerce=int,
        choices=Rating.Score.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn mức độ hài lòng.")},
    )
    comment = forms.CharField(
        label=_("Góp ý (không bắt buộc)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RegisterForm(CitizenForm):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )
    login = forms.CharField(
        label=_("Số điện thoại di động hoặc thư điện tử"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại hoặc thư điện tử.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_login(self) -> str:
        login = self.cleaned_data["login"].strip()
        if "@" in login:
            forms.EmailField().clean(login)
            return login.lower()
        return phone_clean(login)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        elif p1:
            try:
                validate_password(p1)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class LoginForm(CitizenForm):
    login = forms.CharField(
        label=_("Số điện thoại di động hoặc thư điện tử"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại hoặc thư điện tử.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
    )


class ResetStartForm(CitizenForm):
    login = forms.CharField(
        label=_("Số điện thoại di động hoặc thư điện tử của tài khoản"),
        max_length=254,
        error_messages={"required": _("Vui lòng nhập số điện thoại hoặc thư điện tử.")},
    )


class ResetFinishForm(CitizenForm):
    login = forms.CharField(
        label=_("Số điện thoại di động hoặc thư điện tử của tài khoản"), max_length=254
    )
    code = forms.CharField(
        label=_("Mã đặt lại (6 chữ số)"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        validate_password(value)
        return value


class ClaimForm(CitizenForm):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=60)
    key = forms.CharField(label=_("Mã tra cứu (trong tin nhắn SMS)"), max_length=20)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()
