"""GET /api/v1/dossiers/<code>/status/: a dossier's status for the citizen, with the update
key (everything) or a solved captcha (personal data masked).

The citizens' most frequent request (they refresh it while waiting), so it is a plain Django
view: with the key, one Redis round trip (the client's request counted, the cached document
read), one query (citizens.lookup) and the JSON sent as it was cached; no DRF request,
negotiation or rendering. The answers are the API's: the document of
StatusSerializer (citizens/serializers.py), errors as `{"detail": …}` with the domain's
status codes (portal.exceptions), 429 with Retry-After when throttled. `DossierStatusSchema`
describes it in the OpenAPI schema.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from citizens.captcha import captcha_check
from citizens.lookup import status_cache_key, status_with_key
from citizens.selectors import dossier_status_document
from citizens.serializers import StatusSerializer
from dossiers.models import Dossier
from dossiers.services.citizen import DossierNotFound, dossier_get_by_code
from portal.exceptions import PortalError
from portal.throttling import (
    client_key,
    rate_limit_hit,
    rate_limit_hit_reading,
    throttle_ident,
    throttled_response,
)

SCOPE = "lookup"


def status_data(dossier: Dossier, *, with_key: bool) -> dict[str, Any]:
    """The status document as the API shows it."""
    return dict(StatusSerializer(dossier_status_document(dossier=dossier, with_key=with_key)).data)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _keyed_json(dossier: Dossier) -> bytes:
    return _json(status_data(dossier, with_key=True))


def _error(detail: str, *, status: int, **fields: Any) -> JsonResponse:
    return JsonResponse({**fields, "detail": detail}, status=status)


def dossier_status(request: HttpRequest, code: str) -> HttpResponse:
    if request.method not in {"GET", "HEAD"}:
        response = _error(_("Phương thức không được hỗ trợ."), status=405)
        response["Allow"] = "GET, HEAD"
        return response
    key = request.GET.get("key", "").strip()
    # One budget per client (the signed-in user's own), counted before any work.
    ident = throttle_ident(request)
    try:
        if key:
            cache_key = status_cache_key(code=code, language=get_language() or "")
            wait, cached = rate_limit_hit_reading(scope=SCOPE, ident=ident, key=cache_key)
            if wait is not None:
                return throttled_response(request, wait=wait)
            body = status_with_key(
                code=code,
                key=key,
                client=client_key(request),
                render=_keyed_json,
                cached=(cache_key, cached),
            )
            return HttpResponse(body, content_type="application/json")
        if wait := rate_limit_hit(scope=SCOPE, ident=ident):
            return throttled_response(request, wait=wait)
        captcha_value = request.GET.get("captcha_value", "")
        if not captcha_value:
            return _error(
                _("Cần mã tra cứu (key) hoặc mã xác nhận (captcha) để xem hồ sơ."), status=400
            )
        if not captcha_check(key=request.GET.get("captcha_key", ""), value=captcha_value):
            wrong = _("Mã xác nhận không đúng hoặc đã hết hạn.")
            return _error(wrong, status=400, captcha_value=[wrong])
        dossier = dossier_get_by_code(code=code)
        if dossier is None:
            raise DossierNotFound(_("Không tìm thấy hồ sơ có mã này."))
        return HttpResponse(
            _json(status_data(dossier, with_key=False)), content_type="application/json"
        )
    except PortalError as exc:
        return JsonResponse({"detail": str(exc.message), **exc.extra}, status=exc.status_code)


class DossierStatusSchema(APIView):
    """What the OpenAPI schema says of `dossier_status`: drf-spectacular documents a URL's
    view through its `cls`. The URL is routed to `dossier_status` itself."""

    @extend_schema(
        parameters=[
            OpenApiParameter("key", str, required=False, description="The update key from the SMS"),
            OpenApiParameter("captcha_key", str, required=False),
            OpenApiParameter("captcha_value", str, required=False),
        ],
        responses={
            200: StatusSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        },
        summary="A dossier's status: with the key (full) or a solved captcha (masked)",
        tags=["citizens"],
    )
    def get(self, request: Any, code: str) -> HttpResponse:
        raise NotImplementedError  # documentation only


dossier_status.cls = DossierStatusSchema
dossier_status.initkwargs = {}
