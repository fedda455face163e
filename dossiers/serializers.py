"""API shapes of the officers' endpoints (API.md "Officers")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dossiers.actions import ACTIONS
from dossiers.deadlines import dossier_is_due_soon, dossier_is_late
from dossiers.models import Dossier
from portal.validators import validate_single_line


class UnitRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcedureRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DossierListSerializer(serializers.ModelSerializer):
    """A dossier in a list, with the applicant's data (officers only)."""

    status_code = serializers.IntegerField(read_only=True)
    # Plain strings (documented in API.md): keeps OpenAPI enum names unambiguous across apps.
    channel = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    procedure = ProcedureRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    handling_unit = UnitRefSerializer(read_only=True)
    overdue = serializers.SerializerMethodField()
    due_soon = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code",
            "status",
            "status_code",
            "status_label",
            "channel",
            "procedure",
            "unit",
            "handling_unit",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "submitted_at",
            "received_at",
            "due_at",
            "resolved_at",
            "returned_at",
            "overdue",
            "due_soon",
            "url",
        ]

    def _at(self) -> Any:
        return self.context.get("at") or timezone.now()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: Dossier) -> bool:
        return dossier_is_late(obj, at=self._at())

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_due_soon(self, obj: Dossier) -> bool:
        return dossier_is_due_soon(obj, at=self._at(), calendar=self.context.get("calendar"))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Dossier) -> str:
        return reverse("api-officer-dossier", kwargs={"code": obj.code})


class DossierPageSerializer(serializers.Serializer):
    """One page of a list (API.md: count, next, previous, results)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DossierListSerializer(many=True)


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    document = serializers.CharField(source="document.name", default=None)
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Any) -> str:
        return reverse("api-officer-file", kwargs={"code": obj.dossier.code, "file_id": obj.pk})


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    note = serializers.CharField()
    details = serializers.JSONField()


class HandoverSerializer(serializers.Serializer):
    from_unit = UnitRefSerializer()
    to_unit = UnitRefSerializer()
    from_user = serializers.CharField(source="from_user.username", default=None)
    to_user = serializers.CharField(source="to_user.username", default=None)
    given_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    step_due_at = serializers.DateTimeField()
    punctuality = serializers.CharField()
    note = serializers.CharField()


class ApologySerializer(serializers.Serializer):
    reason = serializers.CharField()
    original_due_at = serializers.DateTimeField()
    new_due_at = serializers.DateTimeField()
    signed_by = serializers.CharField(source="signed_by.username")
    issued_at = serializers.DateTimeField()


class SupplementRequestSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    requested_at = serializers.DateTimeField()
    items = serializers.SerializerMethodField()
    reason = serializers.CharField()
    override_by = serializers.CharField(source="override_by.username", default=None)
    override_note = serializers.CharField()
    answered_at = serializers.DateTimeField()

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_items(self, obj: Any) -> list[dict[str, Any]]:
        return [{"id": d.pk, "name": d.name} for d in obj.documents.all()]


class ShipmentSerializer(serializers.Serializer):
    direction = serializers.CharField()
    tracking_number = serializers.CharField()
    state = serializers.CharField()
    handed_over_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField()
    recipient = serializers.CharField()


class PaymentSerializer(serializers.Serializer):
    amount_vnd = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField()
    method = serializers.CharField()
    reference = serializers.CharField()


class DossierDetailSerializer(DossierListSerializer):
    """Everything about one dossier."""

    files = FileSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    transfers = HandoverSerializer(source="handovers", many=True, read_only=True)
    apology = serializers.SerializerMethodField()
    supplement_requests = SupplementRequestSerializer(many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()
    delivery = serializers.CharField(read_only=True)
    return_method = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)

    class Meta(DossierListSerializer.Meta):
        fields = [
            *DossierListSerializer.Meta.fields,
            "delivery",
            "delivery_address",
            "payment_method",
            "fee_vnd",
            "note",
            "outcome",
            "return_method",
            "return_recipient",
            "received_documents",
            "files",
            "events",
            "transfers",
            "apology",
            "supplement_requests",
            "shipments",
            "payments",
            "available_actions",
        ]

    @extend_schema_field(ApologySerializer(allow_null=True))
    def get_apology(self, obj: Dossier) -> dict[str, Any] | None:
        apology = getattr(obj, "apology", None) if hasattr(obj, "apology") else None
        return ApologySerializer(apology).data if apology else None

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_available_actions(self, obj: Dossier) -> list[str]:
        return list(self.context.get("available_actions", []))


class ReceptionSerializer(serializers.Serializer):
    """Counter or postal reception (multipart; files as document_<id>)."""

    channel = serializers.CharField(help_text="counter | post")
    procedure = serializers.CharField(help_text="Mã thủ tục, ví dụ 2.001035")
    unit = serializers.CharField(help_text="Mã đơn vị tiếp nhận")
    applicant_name = serializers.CharField(max_length=200, validators=[validate_single_line])
    applicant_id_number = serializers.CharField(max_length=20)
    applicant_phone = serializers.CharField(max_length=16)
    applicant_email = serializers.EmailField(required=False, allow_blank=True, default="")
    applicant_address = serializers.CharField(max_length=300, validators=[validate_single_line])
    applicant_commune = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The applicant's commune/ward: its unit code or GSO code",
    )
    delivery = serializers.CharField(default=Dossier.Delivery.COUNTER, help_text="counter | post")
    delivery_address = serializers.CharField(
        required=False, allow_blank=True, default="", validators=[validate_single_line]
    )
    payment_method = serializers.CharField(required=False, allow_blank=True, default="")
    checklist = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Mã (id) các giấy tờ đã nhận bản giấy",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ActionSerializer(serializers.Serializer):
    """The body of an action, for the schema only: each action's form (dossiers.actions, the
    same as the page's) checks the fields that action takes."""

    action = serializers.ChoiceField(choices=list(ACTIONS))
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    items = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    override_note = serializers.CharField(required=False, allow_blank=True, default="")
    to_unit = serializers.CharField(required=False, allow_blank=True, default="")
    to_user = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Tên đăng nhập hoặc id của cán bộ nhận",
    )
    amount_vnd = serializers.IntegerField(required=False, min_value=1)
    method = serializers.CharField(required=False, allow_blank=True, default="")
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Dossier.Outcome.values, required=False)
    result_file = serializers.FileField(required=False)
    recipient_name = serializers.CharField(required=False, allow_blank=True, default="")
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="")
    new_due_at = serializers.DateTimeField(required=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
