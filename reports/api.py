"""The reports API (API.md, "Reports"): the same selectors as the pages, as JSON or files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.downloads import private_file_response
from portal.params import month_parse
from reports.access import (
    report_assert_reader,
    report_predecessors_parse,
    report_request_parse,
    report_units_pick,
)
from reports.files import (
    CONTENT_TYPES,
    ReportFiles,
    appendix_files,
    evaluation_files,
    ii06a_files,
    indicators_files,
)
from reports.models import ExportJob
from reports.reconcile import hand_made_read, reconcile
from reports.selectors.appendix import appendix_compute
from reports.selectors.dashboard import dashboard_compute
from reports.selectors.evaluation import officer_scorecards, units_evaluate
from reports.selectors.ii06a import ii06a_compute
from reports.selectors.indicators import indicators_compute
from reports.selectors.periods import Period, month_period
from reports.services import export_request


class _FileRenderer(BaseRenderer):
    """Passes a built file through; anything else (an error) goes out as JSON text."""

    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")


class CSVRenderer(_FileRenderer):
    media_type = CONTENT_TYPES["csv"]
    format = "csv"


class XLSXRenderer(_FileRenderer):
    media_type = CONTENT_TYPES["xlsx"]
    format = "xlsx"


class PDFRenderer(_FileRenderer):
    media_type = CONTENT_TYPES["pdf"]
    format = "pdf"


PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default: this month)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last day, included"),
    OpenApiParameter(
        "unit",
        OpenApiTypes.STR,
        many=True,
        description="unit codes (repeat or comma-separate); default: the "
        "reporting units of your scope",
    ),
    OpenApiParameter(
        "role",
        OpenApiTypes.STR,
        enum=["receiving", "handling"],
        description="count dossiers under the unit that received them (default) or the "
        "unit that handles them (department, commune committee)",
    ),
    OpenApiParameter(
        "predecessors",
        OpenApiTypes.STR,
        enum=["0", "1"],
        description="1: each unit also counts the units closed into it across a reform "
        "(its predecessors, following successor links)",
    ),
]
FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "xlsx", "pdf"])
FILE_FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx", "pdf"])


class ReportView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer, PDFRenderer]

    def scope_period_units(self, request: Request) -> tuple[set[int], Period, list[Any], str]:
        """The reader's scope, the period, the units and the unit role asked for."""
        scope = report_assert_reader(user=request.user)
        params = request.query_params
        period, units, role = report_request_parse(
            scope=scope, params=params, codes=params.getlist("unit")
        )
        return scope, period, units, role

    def answer(self, request: Request, *, data: Callable[[], Any], files: ReportFiles) -> Response:
        """The report as JSON, or as the file (csv, xlsx, pdf) the format asks for; only the
        form asked for is built."""
        extension = request.accepted_renderer.format
        if extension not in files.builders:
            return Response(data())
        response = Response(files.builders[extension]())
        response["Content-Disposition"] = files.disposition(extension)
        return response


class AppendixView(ReportView):
    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, FORMAT_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description="The letter's appendix: {from, to, rows, total}; csv/xlsx give "
        "the files (the XLSX with the letter's merged headers).",
    )
    def get(self, request: Request) -> Response:
        scope, period, units, role = self.scope_period_units(request)
        appendix = appendix_compute(period=period, units=units, scope=scope, role=role)
        return self.answer(
            request,
            data=appendix.as_dict,
            files=appendix_files(appendix, scope=scope, user=request.user, role=role),
        )


class II06aView(ReportView):
    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            FORMAT_PARAMETER,
            OpenApiParameter("by", OpenApiTypes.STR, enum=["unit", "field"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        scope, period, units, role = self.scope_period_units(request)
        by = "field" if request.query_params.get("by") == "field" else "unit"
        report = ii06a_compute(period=period, units=units, scope=scope, by=by, role=role)
        return self.answer(
            request,
            data=report.as_dict,
            files=ii06a_files(report, scope=scope, user=request.user, role=role),
        )


class IndicatorsView(ReportView):
    renderer_classes = [JSONRenderer, XLSXRenderer, PDFRenderer]

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, FILE_FORMAT_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description="Decision 766 indicators: each with numerator, denominator, "
        "rate, threshold and points; per unit and overall, with grade.",
    )
    def get(self, request: Request) -> Response:
        scope, period, units, role = self.scope_period_units(request)
        cards, overall = indicators_compute(period=period, units=units, scope=scope, role=role)
        return self.answer(
            request,
            data=lambda: {
                "from": period.start,
                "to": period.end,
                "overall": overall.as_dict(),
                "units": [c.as_dict() for c in cards],
            },
            files=indicators_files(
                period=period,
                cards=cards,
                overall=overall,
                scope=scope,
                user=request.user,
                role=role,
            ),
        )


class EvaluationView(ReportView):
    renderer_classes = [JSONRenderer, XLSXRenderer, PDFRenderer]

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, FILE_FORMAT_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description="The 9-indicator, 18-point evaluation of each unit, with band.",
    )
    def get(self, request: Request) -> Response:
        scope, period, units, role = self.scope_period_units(request)
        evaluations = units_evaluate(period=period, units=units, scope=scope, role=role)
        return self.answer(
            request,
            data=lambda: {
                "from": period.start,
                "to": period.end,
                "role": role,
                "units": [e.as_dict() for e in evaluations],
            },
            files=evaluation_files(
                period=period, evaluations=evaluations, scope=scope, user=request.user, role=role
            ),
        )


def _month(raw: str | None) -> dt.date:
    return month_parse(raw, "month") if raw else timezone.localdate().replace(day=1)


class OfficerScorecardsView(ReportView):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        scope = report_assert_reader(user=request.user)
        month = _month(request.query_params.get("month"))
        return Response(
            {
                "month": month.strftime("%Y-%m"),
                "officers": [c.as_dict() for c in officer_scorecards(month=month, scope=scope)],
            }
        )


class DashboardView(ReportView):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM"),
            PERIOD_PARAMETERS[2],  # unit
            PERIOD_PARAMETERS[4],  # predecessors
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        scope = report_assert_reader(user=request.user)
        predecessors = report_predecessors_parse(request.query_params.get("predecessors"))
        month = _month(request.query_params.get("month"))
        units = report_units_pick(
            scope=scope,
            codes=request.query_params.getlist("unit"),
            predecessors=predecessors,
            period=month_period(month),
        )
        board = dashboard_compute(
            month=month,
            units=units,
            scope=scope,
            predecessors=predecessors,
        )

        def kpi(k: Any) -> dict[str, Any]:
            return {
                "unit_code": k.code,
                "unit_name": k.name,
                "received": k.received,
                "received_online": k.received_online,
                "resolved": k.resolved,
                "on_time_rate_pct": k.on_time_rate_pct,
                "online_rate_pct": k.online_rate_pct,
                "overdue": k.overdue,
                "apologies": k.apologies,
            }

        return Response(
            {
                "from": board.period.start,
                "to": board.period.end,
                "predecessors": predecessors,
                "overdue_as_of": board.as_of,
                "units": [kpi(k) for k in board.kpis],
                "handling_units": [kpi(k) for k in board.handling],
                "total": kpi(board.total),
                "trends": [
                    {
                        "month": m.month.strftime("%Y-%m"),
                        "received": m.received,
                        "received_online": m.received_online,
                        "resolved": m.resolved,
                        "on_time_rate_pct": m.on_time_rate_pct,
                        "online_rate_pct": m.online_rate_pct,
                    }
                    for m in board.trends
                ],
                "least_using": [
                    {
                        "unit_code": i["unit"].code,
                        "received": i["received"],
                        "online_rate_pct": i["online_rate_pct"],
                    }
                    for i in board.least_using
                ],
                "late": [
                    {
                        "code": d.code,
                        "due_at": d.due_at,
                        "unit": d.unit.code,
                        "handling_unit": d.handling_unit.code,
                    }
                    for d in board.late
                ],
            }
        )


class ReconcileInput(serializers.Serializer):
    file = serializers.FileField()
    # "from" is a Python keyword: declared below.
    to = serializers.DateField()


ReconcileInput._declared_fields["from"] = serializers.DateField()


class ReconcileView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ReconcileInput},
        responses={200: OpenApiTypes.OBJECT},
        description="Every unit and column where the hand-made appendix differs "
        "from the data or breaks its own sums: [{unit, unit_name, "
        "column, reported, computed, problem, message}].",
    )
    def post(self, request: Request) -> Response:
        scope = report_assert_reader(user=request.user)
        data = ReconcileInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        period = Period(data.validated_data["from"], data.validated_data["to"])
        if period.end < period.start:
            raise serializers.ValidationError({"to": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
        rows = hand_made_read(name=upload.name, content=upload.read())
        findings = reconcile(rows=rows, period=period, scope=scope)
        return Response([f.as_dict() for f in findings])


class ExportInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportJob.Kind.values)
    format = serializers.ChoiceField(choices=["csv", "xlsx"])
    to = serializers.DateField(required=False)
    unit = serializers.ListField(child=serializers.CharField(), required=False)
    by = serializers.ChoiceField(choices=["unit", "field"], required=False)
    metric = serializers.CharField(required=False)


ExportInput._declared_fields["from"] = serializers.DateField(required=False)


def _job_data(request: Request, job: ExportJob) -> dict[str, Any]:
    done = job.status == ExportJob.Status.DONE
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "format": job.file_format,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "params": job.params,
        "status_url": request.build_absolute_uri(reverse("api-report-export", args=[job.pk])),
        "download_url": request.build_absolute_uri(reverse("api-report-export-file", args=[job.pk]))
        if done
        else None,
    }


class ExportsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=ExportInput,
        responses={202: OpenApiTypes.OBJECT},
        description="Build a report file in the background (reports queue); poll "
        "the status URL for progress, then download.",
    )
    def post(self, request: Request) -> Response:
        data = ExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        params = {
            k: (str(v[k]) if k in ("from", "to") else v[k])
            for k in ("from", "to", "unit", "by", "metric")
            if k in v
        }
        job = export_request(
            user=request.user, kind=v["kind"], file_format=v["format"], params=params
        )
        return Response(_job_data(request, job), status=status.HTTP_202_ACCEPTED)


class ExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: str) -> Response:
        report_assert_reader(user=request.user)
        job = get_object_or_404(ExportJob, pk=pk, user=request.user)
        return Response(_job_data(request, job))


class ExportFileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: str) -> HttpResponse:
        report_assert_reader(user=request.user)
        job = get_object_or_404(ExportJob, pk=pk, user=request.user)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404(_("Tệp chưa sẵn sàng."))
        return private_file_response(file_field=job.file, filename=job.file.name.rsplit("/", 1)[-1])
