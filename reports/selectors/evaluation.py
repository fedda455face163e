"""Evaluation (Circular 01/2018/TT-VPCP): units on 9 indicators × 2 points, officers monthly.

Unit evaluation: every dossier finished in the period earns 0–2 points on each of the nine
criteria (CRITERIA, with SOURCES saying where each one's data comes from); a unit's criterion
is the average over its dossiers, its score the sum of the averages (out of 18; scaled to 18
when a criterion has no evaluated dossier). Bands (unconfirmed in the circular, as a
provincial system implements them): excellent > 15, good 12–15, fair 9–12, average 6–9,
weak < 6.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from citizens.models import Rating
from dossiers.models import Apology, Dossier, DossierEvent, Handover, SupplementRequest
from procedures.models import Procedure, Unit
from reports.access import RECEIVING, UNIT_FIELDS, unit_tree_map
from reports.models import DossierFact
from reports.selectors.periods import Period
from reports.selectors.sums import rate_pct, without_jit

S = Dossier.Status
F_ = DossierFact.Finish

CRITERIA: tuple[tuple[str, Any], ...] = (
    ("total_time", _("Tổng thời gian giải quyết so với thời gian quy định")),
    ("office_time", _("Thời gian thực hiện tại từng cơ quan tham gia")),
    ("contacts", _("Số lần phải liên hệ để hoàn thiện hồ sơ")),
    ("agencies", _("Số cơ quan phải liên hệ để hoàn thiện hồ sơ")),
    ("desk", _("Tiếp nhận và trả kết quả tại Bộ phận Một cửa")),
    ("publicity", _("Công khai thủ tục hành chính")),
    ("attitude", _("Thái độ của cán bộ, công chức")),
    ("feedback", _("Tiếp thu, giải trình ý kiến phản ánh, kiến nghị")),
    ("online", _("Cung cấp dịch vụ công trực tuyến")),
)
# Where each criterion's 0–2 points come from.
SOURCES: dict[str, Any] = {
    "total_time": _("Ngày giải quyết xong so với ngày hẹn trả: trước hạn 2, đúng hạn 1, trễ 0."),
    "office_time": _(
        "Phiếu kiểm soát (Mẫu 05): mọi lần chuyển trước hạn 2, có lần đúng hạn 1, có lần trễ 0."
    ),
    "contacts": _(
        "Số lần yêu cầu bổ sung (Mẫu 02): không lần nào 2, một lần 1, hai lần trở lên 0."
    ),
    "agencies": _("Số cơ quan đã yêu cầu bổ sung: không cơ quan nào 2, một 1, nhiều hơn 0."),
    "desk": _("Trả kết quả qua Bộ phận Một cửa (có ngày trả): 2, chưa ghi nhận trả: 1."),
    "publicity": _("Thủ tục công khai đủ thành phần hồ sơ và căn cứ pháp lý: 2, thiếu: 0."),
    "attitude": _("Đánh giá của người dân: hài lòng trở lên 2, bình thường 1, không hài lòng 0."),
    "feedback": _(
        "Giải trình với người dân (chưa xác nhận): hồ sơ không trễ hạn 2; trễ hạn có phiếu "
        "xin lỗi (Mẫu 04) gửi trước hạn 1; trễ hạn không giải trình kịp 0. Hệ thống chưa có "
        "chức năng phản ánh, kiến nghị: đây là cách đo thay thế."
    ),
    "online": _("Mức độ dịch vụ công trực tuyến của thủ tục: toàn trình 2, một phần 1, khác 0."),
}
BANDS: tuple[tuple[float, Any], ...] = ((12, _("Tốt")), (9, _("Khá")), (6, _("Trung bình")))


@dataclass
class UnitEvaluation:
    unit_code: str
    unit_name: str
    dossiers: int
    averages: dict[str, float | None] = field(default_factory=dict)

    @property
    def points(self) -> float:
        return round(sum(v for v in self.averages.values() if v is not None), 2)

    @property
    def available(self) -> int:
        return sum(v is not None for v in self.averages.values())

    @property
    def score(self) -> float | None:
        """Out of 18."""
        if not self.available:
            return None
        return round(self.points * 18 / (2 * self.available), 2)

    @property
    def band(self) -> str:
        if self.score is None:
            return "—"
        if self.score > 15:
            return str(_("Xuất sắc"))
        for floor, label in BANDS:
            if self.score >= floor:
                return str(label)
        return str(_("Yếu"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "dossiers": self.dossiers,
            "criteria": self.averages,
            "points": self.points,
            "max_points": 2 * self.available,
            "score_18": self.score,
            "band": self.band,
        }


def evaluation_table(evaluations: list[UnitEvaluation]) -> dict[str, Any]:
    """What a table of unit evaluations shows, on its page and in its PDF: the criteria, where
    each one's points come from, and a row per unit (its evaluation, its averages in order)."""
    return {
        "criteria": CRITERIA,
        "sources": [(key, label, SOURCES[key]) for key, label in CRITERIA],
        "rows": [
            {"e": e, "cells": [e.averages.get(key) for key, _label in CRITERIA]}
            for e in evaluations
        ],
    }


def _none_one_more(count: str) -> Case:
    """Points by a count: none 2, one 1, more 0."""
    return Case(
        When(**{count: 0}, then=Value(2)),
        When(**{count: 1}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _points_expressions() -> dict[str, Any]:
    """Per-dossier points on each criterion the data can tell (None: not evaluated)."""
    supplements = (
        SupplementRequest.objects.filter(dossier_id=OuterRef("dossier_id"))
        .values("dossier_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    agencies = (
        SupplementRequest.objects.filter(dossier_id=OuterRef("dossier_id"))
        .values("dossier_id")
        .annotate(n=Count("unit_id", distinct=True))
        .values("n")
    )
    handovers = Handover.objects.filter(dossier_id=OuterRef("dossier_id"))
    time_points = Case(
        When(finish=F_.EARLY, then=Value(2)),
        When(finish=F_.ON_TIME, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    published = list(
        Procedure.objects.annotate(docs=Count("documents"))
        .filter(docs__gt=0)
        .exclude(legal_basis=[])
        .values_list("pk", flat=True)
    )
    expressions: dict[str, Any] = {
        "total_time": time_points,
        "office_time": Case(
            When(Exists(handovers.filter(punctuality="late")), then=Value(0)),
            When(~Exists(handovers), then=time_points),
            When(~Exists(handovers.exclude(punctuality="early")), then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "contacts": _none_one_more("n_sup"),
        "agencies": _none_one_more("n_agencies"),
        "desk": Case(
            When(dossier__returned_at__isnull=False, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "publicity": Case(
            When(procedure_id__in=published, then=Value(2)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        "online": Case(
            When(procedure__level=4, then=Value(2)),
            When(procedure__level=3, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    }
    # An apology sent before the due time: the unit explained the delay to the citizen.
    explained = Apology.objects.filter(
        dossier_id=OuterRef("dossier_id"), issued_at__lt=OuterRef("dossier__due_at")
    )
    expressions["feedback"] = Case(
        When(~Q(finish=F_.LATE), then=Value(2)),
        When(Exists(explained), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    annotations = {
        "n_sup": Coalesce(Subquery(supplements), 0),
        "n_agencies": Coalesce(Subquery(agencies), 0),
    }
    score = Rating.objects.filter(dossier_id=OuterRef("dossier_id")).values("score")[:1]
    annotations["rating"] = Subquery(score)
    expressions["attitude"] = Case(
        When(rating__gte=4, then=Value(2)),
        When(rating=3, then=Value(1)),
        When(rating__lte=2, then=Value(0)),
        default=None,
        output_field=IntegerField(),
    )
    return {"annotations": annotations, "points": expressions}


@without_jit
def units_evaluate(
    *, period: Period, units: list[Unit], scope: set[int], role: str = RECEIVING
) -> list[UnitEvaluation]:
    """The 18-point evaluation of each unit (with the units below it) over the dossiers
    finished in the period: one aggregate query, per receiving (or handling: `role`) unit,
    then added up."""
    mapping = unit_tree_map(units=units, scope=scope)
    unit_field = UNIT_FIELDS[role]
    parts = _points_expressions()
    qs = DossierFact.objects.filter(
        **{f"{unit_field}__in": set(mapping)},
        finished_day__gte=period.start,
        finished_day__lte=period.end,
    ).annotate(**parts["annotations"])
    # Count the evaluated dossiers of each criterion through an annotation of its points.
    qs = qs.annotate(**{f"pt_{k}": e for k, e in parts["points"].items()})
    aggregates: dict[str, Any] = {"dossiers": Count("pk")}
    for key in parts["points"]:
        aggregates[f"p_{key}"] = Sum(f"pt_{key}")
        aggregates[f"n_{key}"] = Count(f"pt_{key}")
    rows: list[dict[str, int]] = [defaultdict(int) for _u in units]
    for item in qs.values(unit_field).annotate(**aggregates).order_by():
        for index in mapping.get(item[unit_field], []):
            for key, value in item.items():
                if key != unit_field:
                    rows[index][key] += int(value or 0)
    result = []
    for unit, row in zip(units, rows, strict=True):
        averages: dict[str, float | None] = {}
        for key, _label in CRITERIA:
            n = row.get(f"n_{key}", 0)
            averages[key] = round(row[f"p_{key}"] / n, 2) if n else None
        result.append(UnitEvaluation(unit.code, unit.name, row.get("dossiers", 0), averages))
    return result


# --- Officers' monthly scorecards ----------------------------------------------------------


@dataclass
class OfficerScorecard:
    user_id: int
    name: str
    handled: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    time_ratio_pct: float | None = None
    second_supplements: int = 0
    apologies: int = 0
    refusals: int = 0
    ratings: int = 0
    rating_avg: float | None = None

    @property
    def on_time_rate_pct(self) -> float | None:
        return rate_pct(self.resolved_on_time, self.resolved)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "on_time_rate_pct": self.on_time_rate_pct}


def _count_by(rows: QuerySet, field: str) -> QuerySet:
    """(a value of `field`, how many of the rows have it), for each value."""
    return rows.values_list(field).annotate(n=Count("pk")).order_by()


@without_jit
def officer_scorecards(*, month: dt.date, scope: set[int]) -> list[OfficerScorecard]:
    """One line per officer who acted on a dossier of the scope in the month.

    handled: dossiers they moved; resolved and on time (by the dossier's due time);
    average time taken as a share of the time allowed (received → resolved over received →
    due); second supplement requests they made (each needs an override); apologies issued
    on dossiers assigned to them; refusals; citizens' ratings of the dossiers they resolved.
    """
    from reports.selectors.periods import month_period

    period = month_period(month)
    events = DossierEvent.objects.filter(
        at__gte=period.start_at, at__lt=period.end_at, actor__isnull=False
    ).filter(Q(dossier__unit_id__in=scope) | Q(dossier__handling_unit_id__in=scope))
    cards: dict[int, OfficerScorecard] = {}

    def card(user_id: int) -> OfficerScorecard:
        return cards.setdefault(user_id, OfficerScorecard(user_id, ""))

    resolved_q = Q(to_status=S.RESOLVED)
    on_time = Q(dossier__report_fact__finish__in=[F_.EARLY, F_.ON_TIME])
    for row in (
        events.values("actor_id")
        .annotate(
            handled=Count("dossier_id", distinct=True),
            resolved=Count("pk", filter=resolved_q),
            on_time=Count("pk", filter=resolved_q & on_time),
            refusals=Count("pk", filter=Q(to_status=S.REFUSED)),
        )
        .order_by()
    ):
        c = card(row["actor_id"])
        c.handled, c.resolved = row["handled"], row["resolved"]
        c.resolved_on_time, c.refusals = row["on_time"], row["refusals"]
    # The time ratio needs the three times of each resolution; durations are not portable
    # SQL, so the month's resolutions (already filtered and small) are read as tuples.
    ratios: dict[int, list[float]] = defaultdict(list)
    for actor, received, due, resolved in events.filter(resolved_q).values_list(
        "actor_id", "dossier__received_at", "dossier__due_at", "dossier__resolved_at"
    ):
        if received and due and resolved and due > received:
            ratios[actor].append((resolved - received) / (due - received))
    for actor, values in ratios.items():
        card(actor).time_ratio_pct = round(100 * sum(values) / len(values), 1)
    second_supplements = SupplementRequest.objects.filter(
        requested_at__gte=period.start_at,
        requested_at__lt=period.end_at,
        override_by__isnull=False,
        dossier__unit_id__in=scope,
    )
    for user_id, n in _count_by(second_supplements, "requested_by_id"):
        card(user_id).second_supplements = n
    apologies = Apology.objects.filter(
        issued_at__gte=period.start_at,
        issued_at__lt=period.end_at,
        dossier__assigned_to__isnull=False,
        dossier__unit_id__in=scope,
    )
    for user_id, n in _count_by(apologies, "dossier__assigned_to_id"):
        card(user_id).apologies = n
    rated = events.filter(resolved_q, dossier__rating__isnull=False)
    for row in (
        rated.values("actor_id")
        .annotate(n=Count("pk"), total=Sum("dossier__rating__score"))
        .order_by()
    ):
        c = card(row["actor_id"])
        c.ratings = row["n"]
        c.rating_avg = round(row["total"] / row["n"], 2) if row["n"] else None
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=cards)}
    for user_id, c in cards.items():
        user = users.get(user_id)
        c.name = (user.get_full_name() or user.get_username()) if user else str(user_id)
    return sorted(cards.values(), key=lambda c: (-c.handled, c.name))
