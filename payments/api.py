"""Payments in the API (same rules as the pages).

Citizens (the update key, as the other keyed endpoints):
    GET  /api/v1/dossiers/{code}/payment/?key=…          what is owed, VietQR, receipts
    POST /api/v1/dossiers/{code}/payment/{gateway}/      {key} → {redirect_url}
Officers (their units only):
    GET  /api/v1/officer/payments/?start=&end=&method=   reconciliation, paginated
    POST /api/v1/officer/dossiers/{code}/payments/       {method, reference} → the payment
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from citizens.api import keyed_request
from dossiers.access import dossier_get_for_officer, officer_unit_ids
from dossiers.api import OfficerPermission
from dossiers.models import Dossier
from dossiers.services.citizen import dossier_get_for_citizen
from payments import selectors, services
from payments.forms import PaymentConfirmForm, ReconciliationForm
from payments.models import Payment
from payments.views import gateway_order_url, gateways_enabled
from portal.throttling import ScopedRateThrottle, client_key


class PaymentRecordSerializer(serializers.ModelSerializer):
    receipt_number = serializers.CharField(read_only=True)
    dossier = serializers.CharField(source="dossier.code", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "dossier",
            "receipt_number",
            "amount_vnd",
            "state",
            "method",
            "reference",
            "gateway",
            "requested_at",
            "paid_at",
            "refunded_at",
            "fee_detail",
        ]


class KeySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=20)


class ConfirmSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentConfirmForm.base_fields["method"].choices)
    reference = serializers.CharField(max_length=100)
    pages = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    copies = serializers.IntegerField(min_value=1, max_value=1_000, required=False)


def payment_document(*, dossier: Dossier, request: Request) -> dict[str, Any]:
    owed = (
        selectors.payment_owed(dossier=dossier) if selectors.payment_is_due(dossier=dossier) else 0
    )
    payload = selectors.payment_vietqr(dossier=dossier, amount_vnd=owed)
    account = selectors.payment_account_for(unit=dossier.unit) if payload else None
    payments = selectors.dossier_payments(dossier=dossier).exclude(state=Payment.State.CANCELLED)
    return {
        "code": dossier.code,
        "state": selectors.dossier_payment_state(dossier=dossier),
        "owed_vnd": owed,
        "vietqr": None
        if payload is None or account is None
        else {
            "payload": payload,
            "bank_bin": account.bank_bin,
            "bank_name": account.bank_name,
            "account_number": account.account_number,
            "account_name": account.account_name,
            "purpose": dossier.code,
            "demo": account.is_demo,
        },
        "gateways": gateways_enabled(),
        "payments": [
            {
                **PaymentRecordSerializer(p).data,
                "receipt_url": request.build_absolute_uri(
                    reverse("payment-receipt", args=[dossier.code, p.pk])
                ),
            }
            for p in payments
        ],
    }


class CitizenPaymentView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "key"

    @extend_schema(
        parameters=[OpenApiParameter("key", str, required=True)],
        responses={200: OpenApiTypes.OBJECT},
        tags=["citizens"],
        summary="What the dossier owes: amount, VietQR, gateways, receipts",
    )
    def get(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_citizen(
            code=code,
            key=request.query_params.get("key", "").strip(),
            client=client_key(request),
        )
        return Response(payment_document(dossier=dossier, request=request))


class CitizenGatewayStartView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "key"
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=KeySerializer,
        responses={200: OpenApiTypes.OBJECT},
        tags=["citizens"],
        summary="Open an order at the gateway; where to go",
    )
    def post(self, request: Request, code: str, gateway: str) -> Response:
        if gateway not in gateways_enabled():
            raise Http404
        dossier, _data = keyed_request(request, code, KeySerializer)
        return Response({"redirect_url": gateway_order_url(request, dossier, gateway)})


class OfficerPaymentListView(APIView):
    permission_classes = [OfficerPermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("method", str, enum=Payment.Method.values),
            OpenApiParameter("page", int),
        ],
        responses={200: PaymentRecordSerializer(many=True)},
        tags=["officers"],
        summary="Đối soát thanh toán theo ngày và hình thức",
        operation_id="officer_payments_list",
    )
    def get(self, request: Request) -> Response:
        form = ReconciliationForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        data = form.cleaned_data
        qs = selectors.payments_for_reconciliation(
            unit_ids=officer_unit_ids(user=request.user),
            start=data["start"],
            end=data["end"],
            method=data.get("method") or "",
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        response = paginator.get_paginated_response(PaymentRecordSerializer(page, many=True).data)
        response.data["total_vnd"] = selectors.payments_sum(payments=qs)
        return response


class OfficerPaymentRecordView(APIView):
    permission_classes = [OfficerPermission]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=ConfirmSerializer,
        responses={201: PaymentRecordSerializer},
        tags=["officers"],
        summary="Ghi nhận thanh toán tiền mặt hoặc chuyển khoản",
        operation_id="officer_payments_create",
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_officer(user=request.user, code=code, action="confirm_payment")
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.payment_confirm(
            dossier=dossier, actor=request.user, at=timezone.now(), **data.validated_data
        )
        return Response(PaymentRecordSerializer(payment).data, status=201)
