"""The citizens' API (API.md §Citizens): the same rules as the pages.

Errors: 400 field → messages (+ detail), 403 the code and key open no dossier (unknown code,
wrong key and locked dossier alike: dossiers.services.keys), 404 unknown code (with a solved
captcha), 409 state does not allow, 413 file over the limit, 429 throttled or no wrong key
left. The update key never appears in a response.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from citizens import services
from citizens.captcha import captcha_check, captcha_new
from citizens.keys import dossier_key_resend
from citizens.quotas import upload_quota_take
from citizens.serializers import (
    CaptchaAnswerSerializer,
    CaptchaSerializer,
    RatingSerializer,
    StatusSerializer,
    SubmitSerializer,
    SubmittedSerializer,
    SupplementSerializer,
    WithdrawSerializer,
)
from citizens.status_api import status_data
from citizens.submission import OnlineSubmission, online_submit, submission_made
from dossiers.models import Dossier
from dossiers.services.citizen import (
    DossierNotFound,
    dossier_get_by_code,
    dossier_get_for_citizen,
    dossier_supplement_answer,
    dossier_withdraw_request,
    supplement_request_open,
)
from dossiers.services.core import Applicant, IncomingFile
from dossiers.uploads import upload_validate
from portal.exceptions import InvalidTransition
from portal.throttling import ScopedRateThrottle, client_key  # fail-open, trusted proxies only
from procedures import selectors as catalogue
from procedures.models import Procedure, ProcedureDocument, Unit
from procedures.receiving import applicant_commune_find

ERRORS = {
    400: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
    409: OpenApiTypes.OBJECT,
    413: OpenApiTypes.OBJECT,
    429: OpenApiTypes.OBJECT,
}
# The keyed endpoints answer 403 when the code and key open no dossier.
KEYED_ERRORS = {403: OpenApiTypes.OBJECT, **ERRORS}


def _status_response(dossier: Dossier, *, with_key: bool, code: int = 200) -> Response:
    return Response(status_data(dossier, with_key=with_key), status=code)


def keyed_request(
    request: Request, code: str, serializer_class: type[serializers.Serializer]
) -> tuple[Dossier, dict[str, Any]]:
    """The request's fields (400 when invalid), and the dossier its code and update key open
    (403 otherwise, as dossier_get_for_citizen)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return dossier_get_for_citizen(code=code, key=data["key"], client=client_key(request)), data


def _files_from(request: Request, documents: list[ProcedureDocument]) -> list[IncomingFile]:
    """Validate every `document_<id>` file; unknown ids refused. UploadTooLarge propagates."""
    by_name = {f"document_{d.pk}": d for d in documents}
    sizes = [u.size or 0 for name in request.FILES for u in request.FILES.getlist(name)]
    upload_quota_take(client=client_key(request), sizes=sizes)  # before any file is checked
    errors: dict[str, list[str]] = {}
    files: list[IncomingFile] = []
    for name in request.FILES:
        if name not in by_name:
            errors.setdefault(name, []).append(_("Không có giấy tờ này trong thành phần hồ sơ."))
            continue
        for upload in request.FILES.getlist(name):
            try:
                files.append(upload_validate(upload, document=by_name[name]))
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return files


class CaptchaView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "captcha"

    @extend_schema(
        responses=CaptchaSerializer, summary="A new captcha challenge", tags=["citizens"]
    )
    def get(self, request: Request) -> Response:
        data = captcha_new()
        return Response(
            {k: request.build_absolute_uri(v) if k != "key" else v for k, v in data.items()}
        )


class DossierSubmitView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "submit"

    @extend_schema(
        request={"multipart/form-data": SubmitSerializer},
        responses={201: SubmittedSerializer, 200: SubmittedSerializer, **ERRORS},
        summary="Submit a dossier online (levels 3–4)",
        description="Multipart. Files go in `document_<id>` fields (the ids of the procedure's "
        "documents; several files per document allowed). An `Idempotency-Key` "
        "header makes retries safe: the same key returns the same dossier (200). "
        "The update key is sent by SMS only, never in the response.",
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
        tags=["citizens"],
    )
    def post(self, request: Request) -> Response:
        idem = request.headers.get("Idempotency-Key", "").strip()
        idempotency_key = "api:" + hashlib.sha256(idem.encode()).hexdigest()[:56] if idem else None
        serializer = SubmitSerializer(data=request.data)
        # Read before validation (to say where to submit offline); a NUL character cannot be
        # a code and PostgreSQL cannot compare it.
        raw_code = str(request.data.get("procedure", ""))
        procedure = catalogue.procedure_get(code=raw_code) if "\x00" not in raw_code else None
        if procedure is not None and not procedure.accepts_online:
            return Response(
                {
                    "detail": self._offline_message(procedure),
                    "procedure": [_("Thủ tục này không nhận hồ sơ trực tuyến.")],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        made = submission_made(idempotency_key=idempotency_key)
        if made is not None:
            return Response(self._body(made), status=status.HTTP_200_OK)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if procedure is None:
            raise serializers.ValidationError({"procedure": [_("Không tìm thấy thủ tục.")]})
        # The procedure's units came with it (procedure_get prefetches them); a procedure
        # receivable regardless of boundaries may go to any centre (procedures.receiving).
        unit = next((u for u in procedure.units.all() if u.code == data["unit"] and u.e_id), None)
        if unit is None and procedure.boundary_free_from is not None:
            unit = Unit.objects.filter(code=data["unit"]).exclude(e_id=None).first()
        commune = applicant_commune_find(data["applicant_commune"])
        if unit is None:
            raise serializers.ValidationError(
                {"unit": [_("Đơn vị này không giải quyết thủ tục đã chọn.")]}
            )
        citizen = request.user if request.user.is_authenticated else None
        documents = list(procedure.documents.all())
        dossier = online_submit(
            idempotency_key=idempotency_key,
            captcha_key=data["captcha_key"],
            captcha_value=data["captcha_value"],
            submission=lambda: OnlineSubmission(
                procedure=procedure,
                unit=unit,
                applicant=Applicant.entered(data, commune=commune),
                delivery=data["delivery"],
                delivery_address=data["delivery_address"],
                payment_method=data["payment_method"],
                citizen=citizen,
                files=lambda: nullcontext(_files_from(request, documents)),
            ),
        )
        return Response(self._body(dossier), status=status.HTTP_201_CREATED)

    @staticmethod
    def _body(dossier: Dossier) -> dict[str, Any]:
        return dict(
            SubmittedSerializer(
                {
                    "code": dossier.code,
                    "status": dossier.status,
                    "status_code": dossier.status_code,
                    "submitted_at": dossier.submitted_at,
                    "fee_vnd": dossier.fee_vnd,
                }
            ).data
        )

    @staticmethod
    def _offline_message(procedure: Procedure) -> str:
        units = "; ".join(
            u.name + (f" ({u.address})" if u.address else "") for u in procedure.units.all()
        )
        return _(
            "Thủ tục “%(name)s” chưa nhận hồ sơ trực tuyến. Vui lòng nộp trực tiếp tại bộ "
            "phận một cửa hoặc gửi qua bưu điện (bưu chính công ích) tới: %(units)s."
        ) % {"name": procedure.name, "units": units}


class _KeyedView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "key"


class DossierSupplementView(_KeyedView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": SupplementSerializer},
        responses={200: StatusSerializer, **KEYED_ERRORS},
        summary="Answer a supplement request (files in document_<id>)",
        tags=["citizens"],
    )
    def post(self, request: Request, code: str) -> Response:
        dossier, data = keyed_request(request, code, SupplementSerializer)
        open_request = supplement_request_open(dossier=dossier)
        if dossier.status != Dossier.Status.SUPPLEMENT_REQUESTED or open_request is None:
            raise InvalidTransition(_("Hồ sơ này hiện không có yêu cầu bổ sung nào cần trả lời."))
        files = _files_from(request, list(open_request.documents.all()))
        dossier = dossier_supplement_answer(dossier=dossier, files=files, note=data["note"])
        return _status_response(dossier, with_key=True)


class DossierWithdrawView(_KeyedView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=WithdrawSerializer,
        responses={200: StatusSerializer, **KEYED_ERRORS},
        summary="Ask to withdraw the dossier (before a decision)",
        tags=["citizens"],
    )
    def post(self, request: Request, code: str) -> Response:
        dossier, data = keyed_request(request, code, WithdrawSerializer)
        dossier = dossier_withdraw_request(dossier=dossier, reason=data["reason"])
        return _status_response(dossier, with_key=True)


class DossierRatingView(_KeyedView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=RatingSerializer,
        responses={
            201: inline_serializer(
                "RatingCreated",
                {"score": serializers.IntegerField(), "comment": serializers.CharField()},
            ),
            **KEYED_ERRORS,
        },
        summary="Rate the service once, after the result is returned",
        tags=["citizens"],
    )
    def post(self, request: Request, code: str) -> Response:
        dossier, data = keyed_request(request, code, RatingSerializer)
        rating = services.rating_create(
            dossier=dossier, score=data["score"], comment=data["comment"]
        )
        return Response(
            {"score": rating.score, "comment": rating.comment}, status=status.HTTP_201_CREATED
        )


class DossierKeyResendView(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "key"

    @extend_schema(
        request=CaptchaAnswerSerializer,
        responses={
            202: inline_serializer("KeyResent", {"detail": serializers.CharField()}),
            **ERRORS,
        },
        summary="Send a new update key by SMS to the registered phone",
        tags=["citizens"],
    )
    def post(self, request: Request, code: str) -> Response:
        serializer = CaptchaAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not captcha_check(
            key=serializer.validated_data["captcha_key"],
            value=serializer.validated_data["captcha_value"],
        ):
            raise serializers.ValidationError(
                {"captcha_value": [_("Mã xác nhận không đúng hoặc đã hết hạn.")]}
            )
        dossier = dossier_get_by_code(code=code)
        if dossier is None:
            raise DossierNotFound(_("Không tìm thấy hồ sơ có mã này."))
        dossier_key_resend(dossier=dossier, client=client_key(request))
        return Response(
            {"detail": _("Mã tra cứu mới đã được gửi qua SMS tới số điện thoại đã đăng ký.")},
            status=status.HTTP_202_ACCEPTED,
        )
