"""The officers' API (API.md "Officers"): token, list, detail, reception, actions, slips.

Every endpoint goes through dossiers.access: out of scope is 404, the wrong role 403; the
services' errors become HTTP answers in portal.exceptions.api_exception_handler (409 for a
move the state does not allow).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers import selectors, slips
from dossiers.access import (
    dossier_get_for_officer,
    officer_available_actions,
    officer_unit_roles,
)
from dossiers.actions import ACTIONS, form_data
from dossiers.files import dossier_access_record, dossier_file_response, officer_upload_validate
from dossiers.models import Dossier
from dossiers.serializers import (
    ActionSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
    DossierPageSerializer,
    ReceptionSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from dossiers.services.reception import dossier_receive_entered
from portal.auth import officer_token_user
from portal.throttling import ScopedRateThrottle  # fail-open, trusted proxies only
from portal.tokens import api_token_expires_at, api_token_issue
from procedures.calendar import work_calendar
from procedures.models import Unit
from procedures.receiving import applicant_commune_find
from procedures.selectors import procedure_get


class TokenView(APIView):
    """Exchange an officer's username and password for an API token."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        tags=["officers"],
        summary="Lấy token API",
        operation_id="auth_token_create",
    )
    def post(self, request: Request) -> Response:
        # Locked after repeated failures (429), TOTP code when enabled (portal.auth).
        user = officer_token_user(request=request, data=request.data)
        token = api_token_issue(user=user)
        return Response({"token": token.key, "expires_at": api_token_expires_at(token=token)})


class OfficerPermission(IsAuthenticated):
    message = "Chỉ dành cho cán bộ."

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and bool(officer_unit_roles(user=request.user))


def _context(request: Request, dossier: Dossier | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "request": request,
        "at": timezone.now(),
        "calendar": work_calendar(),
    }
    if dossier is not None:
        context["available_actions"] = [
            a.name for a in officer_available_actions(user=request.user, dossier=dossier)
        ]
    return context


def _detail(request: Request, dossier: Dossier, code: int = 200) -> Response:
    detail = selectors.dossier_detail(dossier=dossier)
    return Response(
        DossierDetailSerializer(detail, context=_context(request, detail)).data, status=code
    )


class DossierListView(APIView):
    permission_classes = [OfficerPermission]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=["officers"],
        summary="Danh sách hồ sơ trong phạm vi của cán bộ",
        operation_id="officer_dossiers_list",
        parameters=[
            OpenApiParameter("status", str, enum=Dossier.Status.values),
            OpenApiParameter("overdue", bool),
            OpenApiParameter(
                "due_before", OpenApiTypes.DATETIME, description="ISO 8601; a date means its start"
            ),
            OpenApiParameter("unit", str, description="Mã đơn vị"),
            OpenApiParameter("search", str),
            OpenApiParameter("queue", str, enum=[q.slug for q in selectors.queues()]),
            OpenApiParameter("page", int),
        ],
        responses={200: DossierPageSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        overdue_raw = params.get("overdue", "").lower()
        overdue = {"true": True, "1": True, "false": False, "0": False}.get(overdue_raw)
        due_before = None
        if params.get("due_before"):
            raw = params["due_before"]
            try:
                due_before = parse_datetime(raw)
                if due_before is None and (day := parse_date(raw)) is not None:
                    due_before = timezone.make_aware(
                        timezone.datetime.combine(day, timezone.datetime.min.time())
                    )
                if due_before is not None and timezone.is_naive(due_before):
                    due_before = timezone.make_aware(due_before)
                # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
                if due_before is not None:
                    due_before = due_before.astimezone(datetime.UTC)
            except (ValueError, OverflowError):
                due_before = None
            if due_before is None:
                raise ValidationError({"due_before": _("Thời điểm không hợp lệ.")})
        status_filter = params.get("status", "")
        if status_filter and status_filter not in Dossier.Status.values:
            raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
        queue = params.get("queue", "all")
        if queue not in {q.slug for q in selectors.queues()}:
            queue = "all"
        qs = selectors.dossier_list(
            user=request.user,
            queue=queue,
            status=status_filter,
            overdue=overdue,
            due_before=due_before,
            unit=params.get("unit", ""),
            search=params.get("search", ""),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = DossierListSerializer(page, many=True, context=_context(request)).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        tags=["officers"],
        summary="Tiếp nhận hồ sơ trực tiếp hoặc qua bưu chính",
        operation_id="officer_dossiers_create",
        request={
            "multipart/form-data": ReceptionSerializer,
            "application/json": ReceptionSerializer,
        },
        responses={201: DossierDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ReceptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        procedure = procedure_get(code=data["procedure"])
        if procedure is None:
            raise ValidationError({"procedure": _("Không tìm thấy thủ tục.")})
        unit = Unit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": _("Không tìm thấy đơn vị.")})
        files = []
        for document in procedure.documents.all():
            for upload in request.FILES.getlist(f"document_{document.pk}"):
                files.append(officer_upload_validate(upload, document=document))
        dossier, _key = dossier_receive_entered(
            data,
            procedure=procedure,
            unit=unit,
            actor=request.user,
            commune=applicant_commune_find(data["applicant_commune"]),
            files=files,
        )
        return _detail(request, dossier, code=status.HTTP_201_CREATED)


class DossierDetailView(APIView):
    permission_classes = [OfficerPermission]

    @extend_schema(
        tags=["officers"],
        summary="Toàn bộ thông tin một hồ sơ",
        operation_id="officer_dossiers_retrieve",
        responses={200: DossierDetailSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_officer(user=request.user, code=code)
        dossier_access_record(dossier=dossier, user=request.user, action="view")
        return _detail(request, dossier)


class DossierActionView(APIView):
    permission_classes = [OfficerPermission]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["officers"],
        summary="Thực hiện một thao tác trên hồ sơ",
        operation_id="officer_dossiers_action",
        request={"application/json": ActionSerializer, "multipart/form-data": ActionSerializer},
        responses={
            200: DossierDetailSerializer,
            403: OpenApiResponse(description="Vai trò không được phép"),
            404: OpenApiResponse(description="Không có hoặc ngoài phạm vi"),
            409: OpenApiResponse(description="Trạng thái hiện tại không cho phép"),
        },
    )
    def post(self, request: Request, code: str) -> Response:
        """The action's form (the page's) checks the body; its service does the rest."""
        data = request.data if isinstance(request.data, QueryDict) else form_data(request.data)
        name = data.get("action", "")
        declared = ACTIONS.get(name)
        if declared is None:
            raise ValidationError({"action": _("Thao tác không hợp lệ.")})
        dossier = dossier_get_for_officer(user=request.user, code=code, action=name)
        form = declared.bind(dossier, data, request.FILES)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        declared.perform(dossier=dossier, actor=request.user, form=form)
        return _detail(request, Dossier.objects.get(pk=dossier.pk))


class FileDownloadView(APIView):
    permission_classes = [OfficerPermission]

    @extend_schema(
        tags=["officers"],
        summary="Tải một tệp của hồ sơ (ghi nhận lượt tải)",
        operation_id="officer_dossiers_file",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, code: str, file_id: int) -> HttpResponse:
        dossier = dossier_get_for_officer(user=request.user, code=code)
        return dossier_file_response(dossier=dossier, user=request.user, file_id=file_id)


class SlipView(APIView):
    permission_classes = [OfficerPermission]

    @extend_schema(
        tags=["officers"],
        summary="Phiếu (Mẫu 01–05) dạng PDF",
        operation_id="officer_dossiers_slip",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, code: str, form: str) -> HttpResponse:
        dossier = dossier_get_for_officer(user=request.user, code=code)
        return slips.slip_pdf_response(dossier=dossier, form=form)
