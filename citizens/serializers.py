"""API shapes of the citizens' endpoints (docs/API.md, citizens)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from citizens.forms import id_number_clean
from dossiers.models import Dossier
from portal.validators import validate_single_line


class CaptchaSerializer(serializers.Serializer):
    key = serializers.CharField()
    image_url = serializers.CharField()
    audio_url = serializers.CharField(help_text="WAV: the challenge read out in Vietnamese.")


class SubmitSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text="Procedure code, e.g. 1.001193")
    unit = serializers.CharField(help_text="Receiving unit code")
    applicant_kind = serializers.ChoiceField(
        choices=Dossier.ApplicantKind.choices, default=Dossier.ApplicantKind.PERSON
    )
    applicant_name = serializers.CharField(max_length=200, validators=[validate_single_line])
    organisation_name = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_single_line],
    )
    applicant_id_number = serializers.CharField(max_length=20)
    applicant_phone = serializers.CharField(max_length=30)
    applicant_email = serializers.EmailField(required=False, allow_blank=True, default="")
    applicant_address = serializers.CharField(max_length=300, validators=[validate_single_line])
    applicant_commune = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The applicant's commune/ward: its unit code or GSO code",
    )
    delivery = serializers.ChoiceField(choices=["counter", "post"], default="counter")
    delivery_address = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_single_line],
    )
    payment_method = serializers.CharField(max_length=20)
    declaration = serializers.BooleanField()
    captcha_key = serializers.CharField(required=False, allow_blank=True, default="")
    captcha_value = serializers.CharField()

    def validate_applicant_phone(self, value: str) -> str:
        from notifications.phone import phone_normalise

        try:
            return phone_normalise(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_declaration(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Vui lòng xác nhận “Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên”.")
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["applicant_id_number"] = id_number_clean(
                attrs["applicant_id_number"], kind=attrs["applicant_kind"]
            )
        except ValidationError as exc:
            raise serializers.ValidationError({"applicant_id_number": exc.messages}) from None
        if (
            attrs["applicant_kind"] == Dossier.ApplicantKind.ORGANISATION
            and not attrs.get("organisation_name", "").strip()
        ):
            raise serializers.ValidationError(
                {"organisation_name": [_("Vui lòng nhập tên tổ chức.")]}
            )
        if attrs["delivery"] == "post" and not attrs.get("delivery_address", "").strip():
            raise serializers.ValidationError(
                {"delivery_address": [_("Vui lòng nhập địa chỉ nhận kết quả.")]}
            )
        return attrs


class SubmittedSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    status_code = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    fee_vnd = serializers.IntegerField()


class _NamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.CharField()
    status_code = serializers.IntegerField()
    status_label = serializers.CharField()


class _ApologySerializer(serializers.Serializer):
    reason = serializers.CharField()
    new_due_at = serializers.DateTimeField()


class _ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _SupplementSerializer(serializers.Serializer):
    items = _ItemSerializer(many=True)
    reason = serializers.CharField()
    requested_at = serializers.DateTimeField()


class _AccessSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    unit = serializers.CharField()
    action = serializers.CharField()


class StatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = _NamedSerializer()
    unit = _NamedSerializer()
    applicant = serializers.CharField(help_text='Masked ("N*** V** A") unless the key is given')
    status = serializers.CharField()
    status_code = serializers.IntegerField()
    status_label = serializers.CharField()
    status_explanation = serializers.CharField()
    channel = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    apology = _ApologySerializer(allow_null=True)
    supplement_request = _SupplementSerializer(allow_null=True)
    history = _HistorySerializer(many=True)
    accesses = _AccessSerializer(many=True, help_text="Which unit opened the dossier, and when")


class KeyRequestSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=20)


class WithdrawSerializer(KeyRequestSerializer):
    reason = serializers.CharField(max_length=2000)


class RatingSerializer(KeyRequestSerializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SupplementSerializer(KeyRequestSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CaptchaAnswerSerializer(serializers.Serializer):
    captcha_key = serializers.CharField(required=False, allow_blank=True, default="")
    captcha_value = serializers.CharField()
