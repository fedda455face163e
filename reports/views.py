"""Report pages for leaders and reporting officers: thin views over reports.selectors, each
also given as a file with `?format=xlsx|pdf` (the export jobs are reports.export_views)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dossiers.models import Dossier
from portal.params import BadParameter, param_int, param_month
from reports import charts
from reports.access import (
    HANDLING,
    RECEIVING,
    report_predecessors_parse,
    report_request_parse,
    report_role_parse,
    report_unit_ids,
    report_units_pick,
    report_units_with_predecessors,
    unit_tree_map,
)
from reports.files import (
    CONTENT_TYPES,
    ReportFiles,
    appendix_files,
    evaluation_files,
    ii06a_files,
    indicators_files,
)
from reports.forms import MonthForm, PeriodForm, ReconcileForm
from reports.links import (
    APPENDIX_LINKS,
    DASHBOARD_LINKS,
    II06A_LINKS,
    TREND_LINKS,
    drill_url,
    officer_dossier_url,
    row_links,
)
from reports.reconcile import hand_made_read, reconcile
from reports.selectors.appendix import appendix_compute
from reports.selectors.dashboard import dashboard_compute
from reports.selectors.drilldown import METRICS, drilldown_dossiers, drilldown_overdue_days
from reports.selectors.evaluation import evaluation_table, officer_scorecards, units_evaluate
from reports.selectors.ii06a import ii06a_compute
from reports.selectors.indicators import indicators_compute
from reports.selectors.periods import Period, month_period, period_parse


def report_page_scope(request: HttpRequest) -> set[int]:
    """The report scope of the logged-in officer (403 without a leader/reporting role)."""
    scope = report_unit_ids(user=request.user)
    if not scope:
        raise PermissionDenied(_("Chỉ lãnh đạo, cán bộ báo cáo hoặc quản trị được xem báo cáo."))
    return scope


def _filters(request: HttpRequest, scope: set[int]) -> tuple[PeriodForm, Period | None, list, str]:
    """The period form from the query string, the period, the units (None when invalid)
    and the unit role (receiving or handling)."""
    asked = any(
        request.GET.get(k) for k in ("from", "to", "role", "predecessors")
    ) or request.GET.getlist("unit")
    form = PeriodForm(request.GET if asked else None, scope=scope)
    if form.is_bound and not form.is_valid():
        return form, None, [], RECEIVING
    data = form.cleaned_data if form.is_bound else {}
    role = report_role_parse(data.get("role"))
    try:
        period = period_parse(start=data.get("from"), end=data.get("to"))
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return form, None, [], role
    if not form.is_bound:
        form = PeriodForm(initial={"from": period.start, "to": period.end}, scope=scope)
    units = report_units_pick(
        scope=scope,
        codes=data.get("unit") or [],
        role=role,
        predecessors=bool(data.get("predecessors")),
        period=period,
    )
    return form, period, units, role


def _status(form: PeriodForm) -> int:
    """A filter the page cannot use is a bad request, shown with its errors."""
    return 400 if form.is_bound and form.errors else 200


def _as_file(request: HttpRequest, files: ReportFiles) -> HttpResponse | None:
    """The report as the file `?format=` asks for (xlsx or pdf); None for the page."""
    extension = request.GET.get("format", "")
    if extension not in ("xlsx", "pdf"):
        return None
    response = HttpResponse(files.builders[extension](), content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = files.disposition(extension)
    return response


def _query(period: Period, units: list[Any], role: str = RECEIVING) -> dict[str, Any]:
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "unit": [u.code for u in units],
        "role": role if role == HANDLING else "",
        "predecessors": "1" if report_units_with_predecessors(units) else "",
    }


def _links(
    table: dict[str, tuple[str, dict[str, Any]]],
    period: Period,
    query: dict[str, Any],
    codes: list[str],
    **filters: Any,
) -> dict[str, str]:
    """The links of a table's row (its unit codes, and filters) to the dossiers behind its
    figures, keeping the page's choice of role and predecessors (`query`)."""
    return row_links(
        table=table,
        period=period,
        units=codes,
        **filters,
        role=query["role"],
        predecessors=query["predecessors"],
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = report_page_scope(request)
    form = MonthForm(request.GET or None)
    month = param_month(request.GET, "thang") or timezone.localdate().replace(day=1)
    predecessors = report_predecessors_parse(request.GET.get("predecessors"))
    units = report_units_pick(
        scope=scope, codes=[], predecessors=predecessors, period=month_period(month)
    )
    board = dashboard_compute(month=month, units=units, scope=scope, predecessors=predecessors)
    # Every link repeats the choice: a figure's list holds the same dossiers as the figure.
    widen = {"predecessors": "1" if predecessors else ""}
    period = board.period
    all_codes = [u.code for u in units]
    labels = [f"{m.month:%m/%y}" for m in board.trends]
    trend_received = charts.bars_chart(
        title=_("Hồ sơ tiếp nhận và giải quyết theo tháng"),
        labels=labels,
        series=[
            (_("Tiếp nhận"), [m.received for m in board.trends], "chart-a"),
            (_("Đã giải quyết"), [m.resolved for m in board.trends], "chart-b"),
        ],
    )
    trend_rates = charts.lines_chart(
        title=_("Tỷ lệ đúng hạn và tỷ lệ nộp trực tuyến theo tháng"),
        labels=labels,
        series=[
            (_("Đúng hạn (%)"), [m.on_time_rate_pct for m in board.trends], "chart-a"),
            (_("Trực tuyến (%)"), [m.online_rate_pct for m in board.trends], "chart-b"),
        ],
    )

    def kpi_links(codes: list[str], role: str) -> dict[str, str]:
        return row_links(table=DASHBOARD_LINKS, period=period, units=codes, role=role, **widen)

    rows = [
        {"kpi": kpi, "links": kpi_links([kpi.code] if kpi.code else all_codes, "")}
        for kpi in [*board.kpis, board.total]
    ]
    handling_rows = [
        {"kpi": kpi, "links": kpi_links([kpi.code], HANDLING)} for kpi in board.handling
    ]
    least = [
        {
            **item,
            "link": drill_url(
                metric="received",
                period=board.extra["window"],
                units=[item["unit"].code],
                **widen,
            ),
        }
        for item in board.least_using
    ]
    trend_rows = [
        {
            "m": point,
            "links": row_links(
                table=TREND_LINKS, period=month_period(point.month), units=all_codes, **widen
            ),
        }
        for point in board.trends
    ]
    late = [
        {"dossier": d, "url": officer_dossier_url(d.code), "days": (board.now - d.due_at).days}
        for d in board.late
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "board": board,
            "rows": rows,
            "handling_rows": handling_rows,
            "least": least,
            "late": late,
            "month": month,
            "trend_received": trend_received,
            "trend_rates": trend_rates,
            "trend_rows": trend_rows,
            "late_all": drill_url(metric="late_now", period=period, units=all_codes, **widen),
            "predecessors": predecessors,
            "prev_month": (month - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next_month": (period.end + dt.timedelta(days=1)).strftime("%Y-%m"),
        },
    )


@login_required
@require_GET
def appendix(request: HttpRequest) -> HttpResponse:
    scope = report_page_scope(request)
    form, period, units, role = _filters(request, scope)
    context: dict[str, Any] = {"form": form, "role": role}
    if period is not None:
        result = appendix_compute(period=period, units=units, scope=scope, role=role)
        file = _as_file(request, appendix_files(result, scope=scope, user=request.user, role=role))
        if file is not None:
            return file
        query = _query(period, units, role)
        rows = [
            {"row": row, "links": _links(APPENDIX_LINKS, period, query, [row.unit_code])}
            for row in result.rows
        ]
        context.update(
            {
                "appendix": result,
                "rows": rows,
                "query": query,
                "total_links": _links(APPENDIX_LINKS, period, query, query["unit"]),
            }
        )
    return render(request, "reports/appendix.html", context, status=_status(form))


@login_required
@require_GET
def ii06a(request: HttpRequest) -> HttpResponse:
    scope = report_page_scope(request)
    form, period, units, role = _filters(request, scope)
    by = "field" if request.GET.get("by") == "field" else "unit"
    context: dict[str, Any] = {"form": form, "by": by, "role": role}
    if period is not None:
        report = ii06a_compute(period=period, units=units, scope=scope, by=by, role=role)
        file = _as_file(request, ii06a_files(report, scope=scope, user=request.user, role=role))
        if file is not None:
            return file
        query = _query(period, units, role)
        rows = []
        for row in report.rows:
            if by == "unit":
                links = _links(II06A_LINKS, period, query, [row.key])
            else:  # the field over all the units
                links = _links(II06A_LINKS, period, query, query["unit"], field=row.key)
            rows.append({"row": row, "links": links})
        context.update(
            {
                "report": report,
                "rows": rows,
                "query": query,
                "total_links": _links(II06A_LINKS, period, query, query["unit"]),
            }
        )
    return render(request, "reports/ii06a.html", context, status=_status(form))


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    scope = report_page_scope(request)
    form, period, units, role = _filters(request, scope)
    context: dict[str, Any] = {"form": form, "role": role}
    if period is not None:
        cards, overall = indicators_compute(period=period, units=units, scope=scope, role=role)
        file = _as_file(
            request,
            indicators_files(
                period=period,
                cards=cards,
                overall=overall,
                scope=scope,
                user=request.user,
                role=role,
            ),
        )
        if file is not None:
            return file
        context.update({"cards": cards, "overall": overall, "period": period})
    return render(request, "reports/indicators.html", context, status=_status(form))


@login_required
@require_GET
def evaluation(request: HttpRequest) -> HttpResponse:
    scope = report_page_scope(request)
    form, period, units, role = _filters(request, scope)
    context: dict[str, Any] = {"form": form, "role": role}
    if period is not None:
        evaluations = units_evaluate(period=period, units=units, scope=scope, role=role)
        file = _as_file(
            request,
            evaluation_files(
                period=period, evaluations=evaluations, scope=scope, user=request.user, role=role
            ),
        )
        if file is not None:
            return file
        month = period.start.replace(day=1)
        context.update(
            {
                **evaluation_table(evaluations),
                "period": period,
                "month": month,
                "officers": officer_scorecards(
                    month=month, scope=set(unit_tree_map(units=units, scope=scope))
                ),
            }
        )
    return render(request, "reports/evaluation.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def reconcile_page(request: HttpRequest) -> HttpResponse:
    scope = report_page_scope(request)
    form = ReconcileForm(request.POST or None, request.FILES or None, scope=scope)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = hand_made_read(name=upload.name, content=upload.read())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            period = Period(form.cleaned_data["from"], form.cleaned_data["to"])
            findings = reconcile(rows=rows, period=period, scope=scope)
            context.update(
                {"findings": findings, "period": period, "rows": rows, "file_name": upload.name}
            )
    return render(request, "reports/reconcile.html", context)


@login_required
@require_GET
def drilldown(request: HttpRequest) -> HttpResponse:
    scope = report_page_scope(request)
    metric = request.GET.get("metric", "")
    if metric not in METRICS:
        raise Http404(_("Chỉ tiêu không hợp lệ."))
    try:
        period, units, role = report_request_parse(
            scope=scope, params=request.GET, codes=request.GET.getlist("unit")
        )
    except ValidationError as exc:  # the period's
        raise BadParameter("from", " ".join(exc.messages)) from exc
    now = timezone.now()
    filters = {
        "level": param_int(request.GET, "level", minimum=1, maximum=4),
        "channel": request.GET.get("channel", ""),
        "finish": request.GET.get("finish", ""),
        "field": request.GET.get("field", ""),
    }
    qs = drilldown_dossiers(
        metric=metric,
        period=period,
        unit_ids=set(unit_tree_map(units=units, scope=scope)),
        now=now,
        role=role,
        **filters,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    statuses = dict(Dossier.Status.choices)
    items = [
        {
            "dossier": d,
            "url": officer_dossier_url(d.code),
            "status_at_end": statuses.get(d.status_at_end, ""),
            "overdue_days": drilldown_overdue_days(dossier=d, period=period, now=now),
        }
        for d in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/drilldown.html",
        {
            "metric": metric,
            "metric_label": METRICS[metric],
            "period": period,
            "units": units,
            "filters": filters,
            "page": page,
            "items": items,
            "querystring": params.urlencode(),
            "role": role,
            "export_params": {
                **_query(period, units, role),
                "metric": metric,
                **{k: v for k, v in filters.items() if v},
            },
        },
    )
