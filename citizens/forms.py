"""Forms of the citizen's pages. Validation rules shared with the API live in validators."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from citizens.models import Rating
from dossiers.models import Dossier
from portal.validators import validate_single_line

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


def full_name_field(label: str) -> forms.CharField:
    """A person's full name: one line of at most 200 characters."""
    return forms.CharField(
        label=label,
        max_length=200,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )


def _text_field(label: str, **kwargs: Any) -> forms.CharField:
    """A free text of at most 2000 characters, in a box of four lines."""
    return forms.CharField(
        label=label, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), **kwargs
    )


def _login_field() -> forms.CharField:
    """The mobile number or e-mail address an account logs in with."""
    return forms.CharField(
        label=_("Số điện thoại di động hoặc thư điện tử"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại hoặc thư điện tử.")},
    )


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
    reason = _text_field(
        _("Lý do rút hồ sơ"), error_messages={"required": _("Vui lòng cho biết lý do rút hồ sơ.")}
    )
    confirm = forms.BooleanField(
        label=_("Tôi muốn rút hồ sơ này và biết rằng cơ quan sẽ dừng giải quyết"),
        error_messages={"required": _("Vui lòng đánh dấu ô xác nhận rút hồ sơ.")},
    )


class SupplementForm(CitizenForm):
    note = _text_field(_("Ghi chú cho cán bộ (không bắt buộc)"), required=False)


class RatingForm(CitizenForm):
    score = forms.TypedChoiceField(
        label=_("Mức độ hài lòng của bạn"),
        coerce=int,
        choices=Rating.Score.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn mức độ hài lòng.")},
    )
    comment = _text_field(_("Góp ý (không bắt buộc)"), required=False)


class RegisterForm(CitizenForm):
    full_name = full_name_field(_("Họ và tên"))
    login = _login_field()
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
    login = _login_field()
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
