from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procedures.models import Procedure, ProcedureDocument, Unit


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    other_successors = serializers.SlugRelatedField(slug_field="code", read_only=True, many=True)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "kind",
            "parent",
            "e_id",
            "stat_code",
            "valid_from",
            "valid_to",
            "successor",
            "other_successors",
        ]


class ProcedureListSerializer(serializers.ModelSerializer[Procedure]):
    field = serializers.CharField(source="field.name")
    online_level = serializers.CharField()
    time_limit = serializers.SerializerMethodField()
    fee_vnd = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "field",
            "level",
            "online_level",
            "time_limit",
            "fee_vnd",
            "units",
        ]

    def _channel(self, obj: Procedure) -> object:
        channels = list(obj.channels.all())
        by_name = {c.channel: c for c in channels}
        return (
            by_name.get("online") or by_name.get("counter") or (channels[0] if channels else None)
        )

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_time_limit(self, obj: Procedure) -> dict[str, object]:
        channel = self._channel(obj)
        return channel.time_limit if channel is not None else {}

    def get_fee_vnd(self, obj: Procedure) -> int:
        channel = self._channel(obj)
        return channel.fee_vnd if channel is not None else 0

    def get_units(self, obj: Procedure) -> list[str]:
        return [u.code for u in obj.units.all()]


class DocumentSerializer(serializers.ModelSerializer[ProcedureDocument]):
    template_url = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureDocument
        fields = ["id", "name", "required", "originals", "copies", "template_url"]

    def get_template_url(self, obj: ProcedureDocument) -> str | None:
        if not obj.template:
            return None
        from django.urls import reverse

        url = reverse("procedure-template", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ProcedureDetailSerializer(ProcedureListSerializer):
    documents = DocumentSerializer(many=True, read_only=True)
    channels = serializers.SerializerMethodField()

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "implementing_level",
            "applicants",
            "steps",
            "conditions",
            "legal_basis",
            "result",
            "fee_note",
            "postal_allowed",
            "sets",
            "effective_from",
            "channels",
            "documents",
        ]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_channels(self, obj: Procedure) -> list[dict[str, object]]:
        return [
            {"channel": c.channel, "time_limit": c.time_limit, "fee_vnd": c.fee_vnd}
            for c in obj.channels.all()
        ]
