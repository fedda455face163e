from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request

from portal.params import param_int
from procedures import selectors
from procedures.models import Procedure, Unit
from procedures.serializers import (
    ProcedureDetailSerializer,
    ProcedureListSerializer,
    UnitSerializer,
)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "include_closed",
            OpenApiTypes.BOOL,
            description="also list units no longer in force (with their successors)",
        )
    ]
)
class UnitListApi(generics.ListAPIView[Unit]):
    serializer_class = UnitSerializer
    pagination_class = None

    def get_queryset(self):
        flag = self.request.query_params.get("include_closed", "")
        return selectors.unit_list(include_closed=flag.lower() in {"1", "true", "yes"})


@extend_schema(
    parameters=[
        OpenApiParameter(
            "search",
            OpenApiTypes.STR,
            description=(
                "name, code or field, as people write it: diacritics and i/y ignored, "
                'typos tolerated, common phrases ("sổ đỏ") understood; best match first'
            ),
        ),
        OpenApiParameter("level", OpenApiTypes.INT, description="1-4"),
        OpenApiParameter("unit", OpenApiTypes.STR, description="unit code"),
        OpenApiParameter("field", OpenApiTypes.STR, description="field name or slug"),
    ]
)
class ProcedureListApi(generics.ListAPIView[Procedure]):
    serializer_class = ProcedureListSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.procedure_list(
            search=params.get("search", ""),
            level=param_int(params, "level", minimum=1, maximum=4),
            unit=params.get("unit", ""),
            field=params.get("field", ""),
        )


class ProcedureDetailApi(generics.RetrieveAPIView[Procedure]):
    serializer_class = ProcedureDetailSerializer

    def get_object(self) -> Procedure:
        request: Request = self.request
        procedure = selectors.procedure_get(code=self.kwargs["code"])
        if procedure is None:
            raise Http404
        self.check_object_permissions(request, procedure)
        return procedure
