"""Every report as an A4 landscape PDF with the official header (WeasyPrint).

The header names the reporting unit (the highest unit of the reader's scope), the unit the
report goes to (the one above it), the period and the unit of measure; a signature block for
the person who prepared it and the head of the unit closes it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Unit
from procedures.pdf import html_to_pdf
from reports.access import HANDLING
from reports.selectors.evaluation import evaluation_table
from reports.selectors.periods import Period


def reporting_unit(*, scope: set[int]) -> Unit | None:
    """The highest unit of the scope: the one whose parent lies outside it."""
    units = list(Unit.objects.filter(pk__in=scope).select_related("parent"))
    tops = [u for u in units if u.parent_id not in scope]
    order = {Unit.Kind.PROVINCE: 0, Unit.Kind.DISTRICT: 1, Unit.Kind.COMMUNE: 2}
    tops.sort(key=lambda u: (order.get(u.kind, 3), u.name))
    return tops[0] if tops else None


def report_pdf(
    *,
    template: str,
    title: str,
    measure: str,
    period: Period,
    scope: set[int],
    user: AbstractBaseUser | AnonymousUser,
    role: str,
    context: dict[str, Any],
) -> bytes:
    """The report `template` (extending portal/pdf/official_sheet.html) as PDF bytes."""
    unit = reporting_unit(scope=scope)
    now = timezone.localtime()
    html = render_to_string(
        template,
        {
            **context,
            "title": title,
            "measure": measure,
            "period": period,
            "reporting": unit,
            "receiving": unit.parent.name if unit is not None and unit.parent else "",
            "place": (unit.short_name or unit.name) if unit is not None else "",
            "today": now.date(),
            "generated": now,
            "prepared_by": getattr(user, "get_full_name", lambda: "")(),
            "role_label": _("theo đơn vị xử lý") if role == HANDLING else "",
        },
    )
    return html_to_pdf(html)


def appendix_pdf(appendix: Any, *, scope: set[int], user: Any, role: str) -> bytes:
    return report_pdf(
        template="reports/pdf/appendix.html",
        title=_("Tình hình tiếp nhận, giải quyết hồ sơ thủ tục hành chính"),
        measure=_("hồ sơ, thủ tục; tỷ lệ %"),
        period=appendix.period,
        scope=scope,
        user=user,
        role=role,
        context={"appendix": appendix},
    )


def ii06a_pdf(report: Any, *, scope: set[int], user: Any, role: str) -> bytes:
    return report_pdf(
        template="reports/pdf/ii06a.html",
        title=_("Biểu II.06a – Tình hình, kết quả giải quyết thủ tục hành chính"),
        measure=_("hồ sơ; tỷ lệ %"),
        period=report.period,
        scope=scope,
        user=user,
        role=role,
        context={"report": report, "by": report.by},
    )


def indicators_pdf(
    *, period: Period, cards: list[Any], overall: Any, scope: set[int], user: Any, role: str
) -> bytes:
    return report_pdf(
        template="reports/pdf/indicators.html",
        title=_("Chỉ số chất lượng phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)"),
        measure=_("điểm; tỷ lệ %"),
        period=period,
        scope=scope,
        user=user,
        role=role,
        context={"cards": cards, "overall": overall},
    )


def evaluation_pdf(
    *, period: Period, evaluations: list[Any], scope: set[int], user: Any, role: str
) -> bytes:
    return report_pdf(
        template="reports/pdf/evaluation.html",
        title=_("Đánh giá việc giải quyết thủ tục hành chính"),
        measure=_("điểm"),
        period=period,
        scope=scope,
        user=user,
        role=role,
        context=evaluation_table(evaluations),
    )
